using System.Text.Json;
using System.Text.Json.Serialization;
using ChatKit.Agent.Contracts;
using ChatKit.Agent.Tasks;

namespace ChatKit.Agent.Tools;

/// <summary>
/// The small JSON documents the task tools return (snake_case, as in docs/agent-turns.md). A tool returns a
/// <see cref="JsonElement"/> so that every model path (local, OpenAI, Azure OpenAI) sees exactly the same shape.
/// </summary>
public static class ToolResults
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static JsonElement Changed(TaskItem task, string status, bool? alreadyCompleted = null) =>
        ToJson(new ChangedTaskResult(task.Id, status, task.Title, task.Description, alreadyCompleted));

    public static JsonElement Listed(string status, string filter, string? query, IReadOnlyList<TaskItem> tasks, int total) =>
        ToJson(new TaskList(status, filter, query,
            [.. tasks.Select((t, i) => new ListedTask(t.Id, t.Title, t.Description, t.Completed, i + 1))], total));

    public static JsonElement Removed(IReadOnlyList<TaskItem> tasks) =>
        ToJson(new RemovedTasks("deleted", tasks.Count, [.. tasks.Select(t => new TaskReference(t.Id, t.Title))]));

    public static JsonElement Error(string code, string message) => ToJson(new ToolError("error", code, message));

    static JsonElement ToJson<T>(T value) => JsonSerializer.SerializeToElement(value, Json);

    sealed record ListedTask(long TaskId, string Title, string? Description, bool Completed, int Position);
    sealed record TaskList(string Status, string Filter, string? Query, IReadOnlyList<ListedTask> Tasks, int Total);
    sealed record TaskReference(long TaskId, string Title);
    sealed record RemovedTasks(string Status, int Count, IReadOnlyList<TaskReference> Tasks);
    sealed record ToolError(string Status, string Code, string Message);
}
