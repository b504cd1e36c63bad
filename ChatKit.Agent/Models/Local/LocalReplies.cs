using System.Text;

namespace ChatKit.Agent.Models.Local;

/// <summary>What the local model says, written from the tool results (never from what it merely intended).</summary>
static class LocalReplies
{
    public const string Greeting =
        "Hi! I'm your task assistant. I can add, list, complete, rename and delete tasks — try “add buy milk” or “what's on my list?”.";

    public const string Help = """
        I look after your to-do list. You can say things like:
        • “add buy milk” — or several at once: “add milk, eggs and bread”
        • “what's on my list?”, “what do I still have to do?”, “show completed tasks”
        • “mark milk as done”, “I finished the report”, or “complete task 2” after a list
        • “rename milk to oat milk”
        • “delete the meeting task”, “remove everything I've completed”
        """;

    public const string NotUnderstood =
        "Sorry, I didn't quite get that. I can add, list, complete, rename or delete tasks — for example “add buy milk”, “what's on my list?” or “mark milk as done”.";

    public static string Added(IReadOnlyList<ToolStep> steps)
    {
        var added = steps.Where(s => !s.Failed).Select(s => s.Title!).ToList();
        var text = added.Count switch
        {
            0 => "",
            1 => $"Added “{added[0]}” to your list.",
            _ => $"Added {added.Count} tasks to your list: {Quoted(added)}.",
        };
        return WithFailures(text, steps, "add that");
    }

    public static string Listed(ToolStep step, ListTasks request)
    {
        if (step.Failed) return Failure(step, "read your list");
        var tasks = step.Tasks;
        var filter = request.Filter;
        if (request.CountOnly)
        {
            var open = tasks.Count(t => !t.Completed);
            return filter switch
            {
                "pending" => open == 0 ? "Nothing left to do — you're all caught up!" : $"You have {Count(open, "task")} left to do.",
                "completed" => $"You've completed {Count(tasks.Count - open, "task")} so far.",
                _ => step.Total == 0 ? "Your list is empty." : $"You have {Count(step.Total, "task")}: {open} still to do and {step.Total - open} done.",
            };
        }
        if (tasks.Count == 0)
        {
            return filter switch
            {
                "pending" => "You're all caught up — nothing left to do!",
                "completed" => "You haven't completed any tasks yet.",
                _ => "Your list is empty. Want me to add something?",
            };
        }
        var text = new StringBuilder(filter switch
        {
            "pending" => "Here's what you still have to do:",
            "completed" => "Here's what you've already done:",
            _ => "Here's your list:",
        });
        foreach (var task in tasks)
        {
            text.Append('\n').Append(task.Position).Append(". ").Append(task.Title);
            if (task.Completed && filter == "all") text.Append(" ✓");
        }
        if (step.Total > tasks.Count) text.Append($"\n…and {step.Total - tasks.Count} more.");
        if (filter == "all")
        {
            var open = tasks.Count(t => !t.Completed);
            text.Append(open == 0 ? "\nAll done — nice work!" : $"\n{Count(open, "task")} still to do.");
        }
        return text.ToString();
    }

    public static string Found(ToolStep step)
    {
        if (step.Failed) return Failure(step, "search your list");
        var query = step.Argument("query");
        return step.Tasks switch
        {
            [] => NotFound(query ?? ""),
            [var one] => $"I found “{one.Title}” — {(one.Completed ? "it's done" : "still to do")}.",
            var several => $"I found {several.Count} tasks matching “{query}”:" + Numbered(several),
        };
    }

    public static string Cleared(ToolStep step)
    {
        if (step.Failed) return Failure(step, "clear your completed tasks");
        var titles = step.Tasks.Select(t => t.Title).ToList();
        return titles.Count switch
        {
            0 => "There were no completed tasks to remove.",
            1 => $"Cleared your completed task “{titles[0]}”.",
            _ => $"Cleared {titles.Count} completed tasks: {Quoted(titles)}.",
        };
    }

    public static string Acted(TaskAction action, IReadOnlyList<ToolStep> steps, LocalConversation conversation)
    {
        var ok = steps.Where(s => !s.Failed).ToList();
        var titles = ok.Select(s => s.Title ?? "").ToList();
        var text = (action, ok.Count) switch
        {
            (_, 0) => "",
            (Complete, 1) when ok[0].Result.TryGetProperty("already_completed", out _) => $"“{ok[0].Title}” was already marked as done.",
            (Complete, 1) => $"Nice work! I've marked “{ok[0].Title}” as done.",
            (Complete, _) => $"Nice work! I've marked {ok.Count} tasks as done: {Quoted(titles)}.",
            (Reopen, 1) => $"I've reopened “{ok[0].Title}” — it's back on your to-do list.",
            (Reopen, _) => $"I've reopened {Quoted(titles)}.",
            (Delete, 1) => $"Done — I deleted “{ok[0].Title}”.",
            (Delete, _) => $"Done — I deleted {ok.Count} tasks: {Quoted(titles)}.",
            (Rename, _) => string.Join(" ", ok.Select(s => conversation.TitleOf(s.TaskId ?? 0) is { } old && old != s.Title
                ? $"Renamed “{old}” to “{s.Title}”."
                : $"Renamed it to “{s.Title}”.")),
            (Describe, _) => $"I've updated the description of {Quoted(titles)}.",
            _ => "Done.",
        };
        return WithFailures(text, steps, Verb(action) + " that task");
    }

    public static string WhichOne(string phrase, IReadOnlyList<ListedTask> matches, TaskAction action) =>
        $"I found {matches.Count} tasks matching “{phrase}”:" + Numbered(matches) + $"\nWhich one should I {Verb(action)}?";

    public static string NotFound(string phrase) =>
        $"I couldn't find a task matching “{phrase}”. Say “show my tasks” to see what's on your list.";

    public static string Verb(TaskAction action) => action switch
    {
        Complete => "mark as done",
        Reopen => "reopen",
        Delete => "delete",
        Rename => "rename",
        _ => "update",
    };

    public static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    static string Numbered(IEnumerable<ListedTask> tasks) =>
        string.Concat(tasks.Select((t, i) => $"\n{i + 1}. {t.Title}{(t.Completed ? " ✓" : "")}"));

    static string WithFailures(string text, IReadOnlyList<ToolStep> steps, string what)
    {
        var failures = steps.Where(s => s.Failed).Select(s => Failure(s, what)).Distinct().ToList();
        return string.Join(" ", new[] { text }.Concat(failures).Where(t => t.Length > 0));
    }

    static string Failure(ToolStep step, string what) => step.Result.TryGetProperty("code", out var code) && code.GetString() == "not_found"
        ? "I couldn't find that task any more — it may have been deleted already."
        : $"Sorry, I couldn't {what}: {step.Message ?? "something went wrong"}";

    /// <summary>“a”, “b” and “c”.</summary>
    static string Quoted(IEnumerable<string> titles)
    {
        var items = titles.Select(t => $"“{t}”").ToList();
        return items.Count < 2 ? string.Concat(items) : string.Join(", ", items.Take(items.Count - 1)) + " and " + items[^1];
    }
}
