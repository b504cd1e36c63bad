using System.Text.Json.Serialization;
using ChatKit.ApiService.Infrastructure;

namespace ChatKit.ApiService.Agent;

// The contract with the agent, the API service's side of it: the turn endpoint (docs/agent-turns.md) and the task
// API calls it makes. The agent keeps its side in ChatKit.Agent/Turns/TurnContract.cs. Wire names are snake_case.

public sealed record AgentTurnRequest(string ThreadId, IReadOnlyList<AgentHistoryEntry> History, AgentTurnInput Input);

/// <summary>One history entry: role <c>user</c>, <c>assistant</c>, <c>tool</c> or <c>note</c>.</summary>
public sealed record AgentHistoryEntry
{
    public const string User = "user";
    public const string Assistant = "assistant";
    public const string Tool = "tool";
    public const string Note = "note";

    public required string Role { get; init; }
    public string? Content { get; init; }
    public string? CallId { get; init; }
    public string? Name { get; init; }
    public RawJson? Arguments { get; init; }
    public RawJson? Result { get; init; }
}

public sealed record AgentTurnInput(string Text, IReadOnlyList<AgentMention>? Mentions = null);

public sealed record AgentMention(string Id, string Title, long? TaskId);

/// <summary>
/// One event of the agent's NDJSON answer. A stream ends with one <see cref="Done"/> or <see cref="Error"/>; an event
/// of a type this side does not know arrives as a plain <see cref="AgentEvent"/> and is skipped.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type", IgnoreUnrecognizedTypeDiscriminators = true)]
[JsonDerivedType(typeof(ToolCall), "tool_call")]
[JsonDerivedType(typeof(ToolResult), "tool_result")]
[JsonDerivedType(typeof(TextDelta), "text_delta")]
[JsonDerivedType(typeof(Done), "done")]
[JsonDerivedType(typeof(Error), "error")]
public record AgentEvent
{
    /// <summary>The model called a tool; <paramref name="Display"/> is what the user sees while it runs.</summary>
    public sealed record ToolCall(string? CallId, string? Name, RawJson? Arguments, ToolDisplay? Display) : AgentEvent;

    /// <summary>A tool ran; <paramref name="TaskList"/> is set when its result should be shown as a task list.</summary>
    public sealed record ToolResult(string? CallId, string? Name, RawJson? Result, TaskListView? TaskList) : AgentEvent;

    public sealed record TextDelta(string? Delta) : AgentEvent;

    /// <summary>The end of a turn; the agent also sends <c>usage</c>, which this side does not read.</summary>
    public sealed record Done(string? Text) : AgentEvent;

    /// <summary>A failed turn; <paramref name="Retryable"/> says whether sending the same turn again may succeed.</summary>
    public sealed record Error(string? Code, string? Message, bool Retryable) : AgentEvent;
}

/// <summary>The progress line shown while a tool runs: a ChatKit icon name and a short text ("Adding “milk”…").</summary>
public sealed record ToolDisplay(string? Icon, string Text);

/// <summary>Tasks to show as a list: the rows listed and how many there are in all (more when the list was cut).</summary>
public sealed record TaskListView(IReadOnlyList<TaskListRow> Tasks, int Total);

public sealed record TaskListRow(long TaskId, string Title, string? Description, bool Completed);

// The agent's task API (GET /api/tasks, POST /api/tasks/{id}/complete): only the fields this side reads.

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

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowOutOfOrderMetadataProperties = true,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(AgentTurnRequest))]
[JsonSerializable(typeof(AgentEvent))]
[JsonSerializable(typeof(AgentTask))]
[JsonSerializable(typeof(AgentTaskPage))]
public sealed partial class AgentJsonContext : JsonSerializerContext;
