using System.Text.Json;

namespace ChatKit.Agent.Tools;

/// <summary>
/// What the user sees of a task tool: the progress line while it runs ("Adding “buy milk”…") and whether its result
/// is shown as a task list. The turn's events carry both, so the API service renders them without knowing the tools.
/// </summary>
public static class ToolViews
{
    /// <summary>A ChatKit icon name and a short text for a call of <paramref name="tool"/> with these arguments.</summary>
    public static (string Icon, string Text) Progress(string tool, JsonElement arguments)
    {
        var title = String(arguments, "title");
        return tool switch
        {
            TaskTools.AddTask => ("plus", title is null ? "Adding a task…" : $"Adding “{title}”…"),
            TaskTools.ListTasks => ("notebook", String(arguments, "status") switch
            {
                "pending" => "Looking at your open tasks…",
                "completed" => "Looking at your completed tasks…",
                _ => "Looking at your tasks…",
            }),
            TaskTools.FindTasks => ("search", String(arguments, "query") is { } query ? $"Looking for “{query}”…" : "Searching your tasks…"),
            // Tools that take a task_id: an internal id means nothing to the user, so no number is shown.
            TaskTools.CompleteTask => ("check-circle", "Completing the task…"),
            TaskTools.ReopenTask => ("reload", "Reopening the task…"),
            TaskTools.UpdateTask => ("write", title is null ? "Updating the task…" : $"Renaming the task to “{title}”…"),
            TaskTools.DeleteTask => ("dots-horizontal", "Deleting the task…"),
            TaskTools.DeleteCompletedTasks => ("dots-horizontal", "Clearing completed tasks…"),
            _ => ("sparkle", "Working on it…"),
        };
    }

    /// <summary>
    /// Whether the result is shown as a task list: a <c>list_tasks</c> result with its tasks (not an error). Its
    /// <c>tasks</c> and <c>total</c> are the list's rows and count.
    /// </summary>
    public static bool ShowsTaskList(string tool, JsonElement result) =>
        tool == TaskTools.ListTasks && result.ValueKind == JsonValueKind.Object
        && result.TryGetProperty("tasks", out var tasks) && tasks.ValueKind == JsonValueKind.Array;

    static string? String(JsonElement args, string name) =>
        args.ValueKind == JsonValueKind.Object && args.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
        && value.GetString() is { Length: > 0 } text ? text : null;
}
