using System.Text.Json;
using ChatKit.ApiService.Infrastructure;

namespace ChatKit.ApiService.Turns;

/// <summary>The <c>progress_update</c> shown while an agent tool runs ("Adding “buy milk”…").</summary>
public static class ToolProgress
{
    public static ProgressUpdateEvent For(string? toolName, RawJson? arguments)
    {
        using var document = Parse(arguments);
        var args = document?.RootElement ?? default;
        var title = String(args, "title");
        return toolName switch
        {
            "add_task" => new("plus", title is null ? "Adding a task…" : $"Adding “{title}”…"),
            "list_tasks" => new("notebook", String(args, "status") switch
            {
                "pending" => "Looking at your open tasks…",
                "completed" => "Looking at your completed tasks…",
                _ => "Looking at your tasks…",
            }),
            "find_tasks" => new("search", String(args, "query") is { } query ? $"Looking for “{query}”…" : "Searching your tasks…"),
            // Tools that take a task_id: an internal id means nothing to the user, so no number is shown.
            "complete_task" => new("check-circle", "Completing the task…"),
            "reopen_task" => new("reload", "Reopening the task…"),
            "update_task" => new("write", title is null ? "Updating the task…" : $"Renaming the task to “{title}”…"),
            "delete_task" => new("dots-horizontal", "Deleting the task…"),
            "delete_completed_tasks" => new("dots-horizontal", "Clearing completed tasks…"),
            _ => new("sparkle", "Working on it…"),
        };
    }

    static JsonDocument? Parse(RawJson? arguments)
    {
        if (arguments is not { IsEmpty: false } raw) return null;
        try
        {
            var document = raw.Parse();
            if (document.RootElement.ValueKind == JsonValueKind.Object) return document;
            document.Dispose();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    static string? String(JsonElement args, string name) =>
        args.ValueKind == JsonValueKind.Object && args.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
        && value.GetString() is { Length: > 0 } text ? text : null;
}
