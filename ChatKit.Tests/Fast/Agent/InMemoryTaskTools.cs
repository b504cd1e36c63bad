using System.Text.Json;
using ChatKit.Agent.Tasks;
using ChatKit.Agent.Tools;
using Microsoft.Extensions.AI;

namespace ChatKit.Tests.Fast.Agent;

/// <summary>
/// The agent's task tools over a list in memory: the same names, parameters and result documents
/// (<see cref="ToolResults"/>, <see cref="TaskMatcher"/>) as the kernel functions, without a database.
/// </summary>
public sealed class InMemoryTaskTools
{
    readonly List<TaskItem> tasks = [];
    long nextId = 1;

    /// <summary>Tasks oldest first: "buy milk; [x] call mom; water plants {blue can}" ("[x] " = completed, {…} = description).</summary>
    public InMemoryTaskTools(string seed = "")
    {
        foreach (var entry in Split(seed))
        {
            var completed = entry.StartsWith("[x] ", StringComparison.Ordinal);
            var text = completed ? entry[4..] : entry;
            var brace = text.IndexOf(" {", StringComparison.Ordinal);
            Add(brace < 0 ? text : text[..brace], brace < 0 ? null : text[(brace + 2)..^1]).Completed = completed;
        }
    }

    /// <summary>The list in the seed's notation.</summary>
    public IReadOnlyList<string> State =>
        [.. tasks.Select(t => (t.Completed ? "[x] " : "") + t.Title + (t.Description is { } d ? $" {{{d}}}" : ""))];

    public IList<AITool> Tools(string prefix = "") =>
    [
        AIFunctionFactory.Create((string title, string? description = null) => ToolResults.Changed(Add(title, description), "created"),
            prefix + "add_task"),
        AIFunctionFactory.Create((string status = "all") =>
            Filter(status) is { } matching ? ToolResults.Listed("listed", status, null, matching, matching.Count) : BadStatus(),
            prefix + "list_tasks"),
        AIFunctionFactory.Create((string query, string status = "all") =>
            Filter(status) is { } candidates && TaskMatcher.BestMatches(candidates, t => t.Title, query) is var found
                ? ToolResults.Listed("found", status, query, found, found.Count)
                : BadStatus(),
            prefix + "find_tasks"),
        AIFunctionFactory.Create((long task_id) => Complete(task_id), prefix + "complete_task"),
        AIFunctionFactory.Create((long task_id) => Find(task_id) is { } task
                ? ToolResults.Changed(Set(task, completed: false), "reopened")
                : NotFound(task_id),
            prefix + "reopen_task"),
        AIFunctionFactory.Create((long task_id, string? title = null, string? description = null) =>
            Find(task_id) is { } task ? ToolResults.Changed(Update(task, title, description), "updated") : NotFound(task_id),
            prefix + "update_task"),
        AIFunctionFactory.Create((long task_id) => Find(task_id) is { } task && tasks.Remove(task) ? ToolResults.Changed(task, "deleted") : NotFound(task_id),
            prefix + "delete_task"),
        AIFunctionFactory.Create(() =>
        {
            var done = tasks.Where(t => t.Completed).ToList();
            tasks.RemoveAll(t => t.Completed);
            return ToolResults.Removed(done);
        }, prefix + "delete_completed_tasks"),
    ];

    TaskItem Add(string title, string? description)
    {
        var task = new TaskItem { Id = nextId++, OwnerId = "me", Title = title.Trim(), Description = description };
        tasks.Add(task);
        return task;
    }

    TaskItem? Find(long id) => tasks.FirstOrDefault(t => t.Id == id);

    JsonElement Complete(long id)
    {
        if (Find(id) is not { } task) return NotFound(id);
        var already = task.Completed;
        return ToolResults.Changed(Set(task, completed: true), "completed", alreadyCompleted: already ? true : null);
    }

    static TaskItem Set(TaskItem task, bool completed)
    {
        task.Completed = completed;
        return task;
    }

    static TaskItem Update(TaskItem task, string? title, string? description)
    {
        if (title is not null) task.Title = title;
        if (description is not null) task.Description = description.Length == 0 ? null : description;
        return task;
    }

    List<TaskItem>? Filter(string status) => status switch
    {
        "all" => [.. tasks],
        "pending" => [.. tasks.Where(t => !t.Completed)],
        "completed" => [.. tasks.Where(t => t.Completed)],
        _ => null,
    };

    static JsonElement BadStatus() => ToolResults.Error("invalid_argument", "status must be \"all\", \"pending\" or \"completed\".");

    static JsonElement NotFound(long id) => ToolResults.Error("not_found", $"There is no task with task_id {id} on the user's list.");

    static string[] Split(string list) => list.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
