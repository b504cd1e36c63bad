using System.Text.Json.Serialization;

namespace ChatKit.Agent.Contracts;

// The agent's task API as the API service calls it (GET /api/tasks for @-mention search, POST /api/tasks/{id}/complete
// for a task list's button): only the fields the API reads.

public sealed record AgentTask
{
    public long Id { get; init; }
    public string Title { get; init; } = "";
    public string? Description { get; init; }
    public bool Completed { get; init; }
}

public sealed record AgentTaskPage
{
    public List<AgentTask> Tasks { get; init; } = [];
}

/// <summary>
/// What a task tool answers about one task it changed (<c>complete_task</c>, <c>add_task</c>, …). The API records a
/// task list's Complete button as a call of <see cref="CompleteTool"/> with this result, so the model hears of it.
/// </summary>
public sealed record ChangedTaskResult(
    [property: JsonPropertyName("task_id")] long TaskId,
    string Status,
    string Title,
    string? Description = null,
    [property: JsonPropertyName("already_completed")] bool? AlreadyCompleted = null)
{
    /// <summary>The tool that marks a task done.</summary>
    public const string CompleteTool = "complete_task";
}
