using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text;
using ChatKit.Agent.Contracts;

namespace ChatKit.ApiService.ChatKit.Widgets;

/// <summary>
/// The widget shown when the agent lists tasks (a tool result with a task list): a ListView with one row per task and
/// a Complete button on each open one. The button's action <c>complete_task</c> {task_id} comes back as
/// <c>threads.custom_action</c>; the row is then re-rendered in place. Widget JSON is camelCase, as ChatKit's widget
/// types spell it.
/// </summary>
public static class TaskListWidget
{
    public const string CompleteAction = "complete_task";
    const string RowKeyPrefix = "task_";

    public static (RawJson Widget, string CopyText) Render(IReadOnlyList<TaskListRow> tasks, int total)
    {
        var children = new JsonArray();
        foreach (var task in tasks) children.Add(Row(task));
        if (tasks.Count == 0)
        {
            children.Add(new JsonObject
            {
                ["type"] = "ListViewItem",
                ["key"] = "empty",
                ["children"] = new JsonArray(new JsonObject { ["type"] = "Text", ["value"] = "No tasks here yet.", ["color"] = "secondary" }),
            });
        }
        var root = new JsonObject
        {
            ["type"] = "ListView",
            ["key"] = "tasks",
            ["status"] = Status(tasks.Count(t => !t.Completed), tasks.Count, total),
            ["children"] = children,
        };
        var copy = new StringBuilder();
        for (var i = 0; i < tasks.Count; i++)
        {
            copy.Append(i + 1).Append(". [").Append(tasks[i].Completed ? 'x' : ' ').Append("] ").Append(tasks[i].Title).Append('\n');
        }
        return (ToRaw(root), copy.Length == 0 ? "No tasks." : copy.ToString().TrimEnd());
    }

    /// <summary>The widget with the task's row shown as done; null when the widget has no row for the task.</summary>
    public static RawJson? MarkCompleted(RawJson widget, TaskListRow task)
    {
        if (JsonNode.Parse(widget.Utf8.Span) is not JsonObject root || root["children"] is not JsonArray children) return null;
        var key = RowKeyPrefix + task.TaskId;
        var index = -1;
        for (var i = 0; i < children.Count; i++)
        {
            if (children[i] is JsonObject row && (string?)row["key"] == key) index = i;
        }
        if (index < 0) return null;
        children[index] = Row(task with { Completed = true });
        var open = children.Count(c => c is JsonObject row && row["children"] is JsonArray parts
                                        && parts.Any(p => p is JsonObject { } part && (string?)part["type"] == "Button"));
        var total = children.Count(c => c is JsonObject row && ((string?)row["key"])?.StartsWith(RowKeyPrefix, StringComparison.Ordinal) == true);
        // A cut list ("100 shown of 240") keeps its header; a complete one counts again.
        if ((string?)root["status"]?["text"] is not { } text || !text.Contains(" shown of ", StringComparison.Ordinal))
        {
            root["status"] = Status(open, total, total);
        }
        return ToRaw(root);
    }

    public static bool TryGetTaskId(RawJson payload, out long taskId)
    {
        taskId = 0;
        try
        {
            using var document = payload.Parse();
            return document.RootElement.ValueKind == JsonValueKind.Object && TryGetId(document.RootElement, out taskId);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    static bool TryGetId(JsonElement element, out long id)
    {
        id = 0;
        if (!element.TryGetProperty("task_id", out var value) && !element.TryGetProperty("id", out value)) return false;
        return value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetInt64(out id),
            JsonValueKind.String => long.TryParse(value.GetString(), out id),
            _ => false,
        };
    }

    /// <summary>"Your tasks · 2 open of 3", or "… · 100 shown of 240" when the list was cut.</summary>
    static JsonObject Status(int open, int listed, int total) => new()
    {
        ["text"] = listed == 0 ? "Your tasks"
            : total > listed ? $"Your tasks · {listed} shown of {total}"
            : $"Your tasks · {open} open of {listed}",
        ["icon"] = "notebook",
    };

    static JsonObject Row(TaskListRow task)
    {
        var text = new JsonArray(new JsonObject
        {
            ["type"] = "Text",
            ["value"] = task.Title,
            ["size"] = "sm",
            ["weight"] = "medium",
            ["lineThrough"] = task.Completed,
            ["color"] = task.Completed ? "secondary" : null,
        });
        if (!string.IsNullOrWhiteSpace(task.Description))
        {
            text.Add(new JsonObject { ["type"] = "Caption", ["value"] = task.Description, ["size"] = "sm", ["maxLines"] = 2 });
        }
        JsonObject trailing = task.Completed
            ? new JsonObject { ["type"] = "Badge", ["label"] = "Done", ["color"] = "success", ["variant"] = "soft", ["size"] = "sm" }
            : new JsonObject
            {
                ["type"] = "Button",
                ["label"] = "Complete",
                ["size"] = "sm",
                ["variant"] = "outline",
                ["onClickAction"] = new JsonObject
                {
                    ["type"] = CompleteAction,
                    ["payload"] = new JsonObject { ["task_id"] = task.TaskId },
                },
            };
        var row = new JsonObject
        {
            ["type"] = "ListViewItem",
            ["key"] = RowKeyPrefix + task.TaskId,
            ["gap"] = 3,
            ["align"] = "center",
            ["children"] = new JsonArray(
                new JsonObject
                {
                    ["type"] = "Icon",
                    ["name"] = task.Completed ? "check-circle-filled" : "empty-circle",
                    ["color"] = task.Completed ? "success" : "secondary",
                    ["size"] = "lg",
                },
                new JsonObject { ["type"] = "Col", ["flex"] = 1, ["gap"] = 0, ["children"] = text },
                trailing),
        };
        RemoveNulls(row);
        return row;
    }

    static void RemoveNulls(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Where(p => p.Value is null).Select(p => p.Key).ToList()) obj.Remove(key);
                foreach (var (_, value) in obj) RemoveNulls(value);
                break;
            case JsonArray array:
                foreach (var item in array) RemoveNulls(item);
                break;
        }
    }

    static RawJson ToRaw(JsonNode node)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            node.WriteTo(writer);
        }
        return new RawJson(buffer.WrittenMemory);
    }
}
