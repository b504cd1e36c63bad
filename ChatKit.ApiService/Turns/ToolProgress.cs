using System.Text.Json;
using ChatKit.ApiService.ChatKit;

namespace ChatKit.ApiService.Turns;

/// <summary>The <c>progress_update</c> shown while an agent tool runs ("Adding “buy milk”…").</summary>
public static class ToolProgress
{
    public static ProgressUpdateEvent For(string? toolName, RawJson? arguments)
    {
        var subject = Subject(arguments);
        return toolName switch
        {
            "add_task" => new("plus", subject is null ? "Adding a task…" : $"Adding {subject}…"),
            "list_tasks" => new("notebook", "Looking at your tasks…"),
            "find_tasks" or "search_tasks" => new("search", "Searching your tasks…"),
            "complete_task" => new("check-circle", $"Completing {subject ?? "the task"}…"),
            "update_task" => new("write", $"Updating {subject ?? "the task"}…"),
            "delete_task" => new("dots-horizontal", $"Deleting {subject ?? "the task"}…"),
            "delete_completed_tasks" or "clear_completed" => new("dots-horizontal", "Clearing completed tasks…"),
            _ => new("sparkle", "Working on it…"),
        };
    }

    /// <summary>“title”, or “task 3” from a task id or list position, when the arguments name one.</summary>
    static string? Subject(RawJson? arguments)
    {
        if (arguments is not { IsEmpty: false } raw) return null;
        try
        {
            using var document = raw.Parse();
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            if (root.TryGetProperty("title", out var title) && title.ValueKind == JsonValueKind.String && title.GetString() is { Length: > 0 } t)
                return $"“{t}”";
            foreach (var key in new[] { "position", "task_id", "id" })
            {
                if (root.TryGetProperty(key, out var value) && value.ValueKind is JsonValueKind.Number or JsonValueKind.String)
                    return $"task {value}";
            }
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
