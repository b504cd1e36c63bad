using ChatKit.Agent.Tools;

namespace ChatKit.Agent.Models.Local;

/// <summary>The local model's next move: call tools, or answer.</summary>
abstract record LocalStep;
sealed record CallTools(IReadOnlyList<ToolCall> Calls) : LocalStep;
sealed record Reply(string Text) : LocalStep;
sealed record ToolCall(string Name, Dictionary<string, object?> Arguments);

/// <summary>
/// Decides the local model's next step from the conversation alone, so it can be asked again after every tool result:
/// look the task up, act on it, then answer from what the tools returned. It never acts on a task it did not find.
/// </summary>
static class LocalPlanner
{
    public static LocalStep Next(LocalConversation conversation)
    {
        var intent = LocalLanguage.Parse(conversation.Text, conversation.Tagged);
        intent = FollowUp(intent, conversation) ?? intent;
        return intent switch
        {
            Greeting => new Reply(LocalReplies.Greeting),
            Thanks => new Reply("You're welcome! Anything else I can do for your list?"),
            Farewell => new Reply("Bye for now — your list will be here when you come back."),
            Help => new Reply(LocalReplies.Help),
            OtherUsersTasks => new Reply("I can only see and change your own tasks, so I can't do anything with someone else's list."),
            Answer { Yes: true } => new Reply("Okay! What would you like to do with your list?"),
            Answer => new Reply("Alright, I'll leave everything as it is."),
            Choice => new Reply("Sorry, I'm not sure which task you mean. Say “show my tasks” to see your list."),
            AddTasks add => Add(add, conversation),
            ListTasks list => List(list, conversation),
            FindTasks find => Find(find, conversation),
            CompleteAll => CompleteEverything(conversation),
            DeleteCompleted => ClearCompleted(conversation),
            DeleteAll all => DeleteAll(all, conversation),
            TaskAction action => Act(action, conversation),
            _ => new Reply(LocalReplies.NotUnderstood),
        };
    }

    /// <summary>Answers to the question asked last turn: "which one?" or "are you sure?".</summary>
    static Intent? FollowUp(Intent intent, LocalConversation conversation)
    {
        if (intent is not (Answer or Choice or NotUnderstood) || conversation.Previous is not { } previous) return null;
        var asked = LocalLanguage.Parse(previous.UserText, []);
        if (asked is DeleteAll { Confirmed: false } && intent is Answer answer && previous.Steps.All(s => s.Name != "delete_task"))
        {
            return answer.Yes ? new DeleteAll(Confirmed: true) : new Answer(false);
        }
        // "delete" → "Which task should I delete?" → "the milk one".
        if (asked is TaskAction { Target: ByIds { Ids.Count: 0 } } unnamed && previous.Steps.Count == 0)
        {
            return unnamed.With(intent is Choice choice ? choice.Target : LocalLanguage.ParseTarget(LocalLanguage.Clean(conversation.Text)));
        }
        if (asked is not TaskAction action || previous.Steps.Count == 0 || previous.Steps[^1] is not { Name: "find_tasks" } offered
            || offered.Tasks.Count < 2)
        {
            return null;
        }
        var candidates = offered.Tasks;
        IReadOnlyList<ListedTask> chosen = intent switch
        {
            Choice { Target: AllOfThem } => candidates,
            Choice { Target: ByPosition p } when p.Positions.All(n => n >= 0 && n <= candidates.Count) =>
                [.. p.Positions.Select(n => candidates[n == 0 ? candidates.Count - 1 : n - 1])],
            NotUnderstood => TaskMatcher.BestMatches(candidates, t => t.Title, conversation.Text),
            _ => [],
        };
        return chosen.Count == 1 || chosen.Count > 1 && intent is Choice
            ? action.With(new ByIds([.. chosen.Select(t => t.TaskId)]))
            : null;
    }

    static LocalStep Add(AddTasks add, LocalConversation c)
    {
        var added = c.Steps.Where(s => s.Name == "add_task").ToList();
        if (added.Count > 0) return new Reply(LocalReplies.Added(added));
        if (add.Tasks.Count == 0) return new Reply("Sure — what should the new task say?");
        return new CallTools([.. add.Tasks.Select(t => Call("add_task", ("title", t.Title), ("description", t.Description)))]);
    }

    static LocalStep List(ListTasks list, LocalConversation c) =>
        c.LastStep("list_tasks") is { } listed
            ? new Reply(LocalReplies.Listed(listed, list))
            : new CallTools([Call("list_tasks", ("status", list.CountOnly ? "all" : list.Filter))]);

    static LocalStep Find(FindTasks find, LocalConversation c) =>
        c.FindStep(find.Query) is { } found
            ? new Reply(LocalReplies.Found(found))
            : new CallTools([Call("find_tasks", ("query", find.Query))]);

    static LocalStep CompleteEverything(LocalConversation c)
    {
        var completed = c.Steps.Where(s => s.Name == "complete_task").ToList();
        if (completed.Count > 0) return new Reply(LocalReplies.Acted(new Complete(new ByIds([])), completed, c));
        if (c.LastStep("list_tasks") is not { } pending) return new CallTools([Call("list_tasks", ("status", "pending"))]);
        return pending.Tasks.Count == 0
            ? new Reply("Everything is already done — there's nothing left to complete.")
            : new CallTools([.. pending.Tasks.Select(t => Call("complete_task", ("task_id", t.TaskId)))]);
    }

    static LocalStep ClearCompleted(LocalConversation c) =>
        c.LastStep("delete_completed_tasks") is { } cleared
            ? new Reply(LocalReplies.Cleared(cleared))
            : new CallTools([Call("delete_completed_tasks")]);

    // Deleting everything is a destructive bulk action: count first, ask, and act only on a "yes" in the next turn.
    static LocalStep DeleteAll(DeleteAll all, LocalConversation c)
    {
        var deleted = c.Steps.Where(s => s.Name == "delete_task").ToList();
        if (deleted.Count > 0) return new Reply(LocalReplies.Acted(new Delete(new ByIds([])), deleted, c) + " Your list is empty now.");
        if (c.LastStep("list_tasks") is not { } listed) return new CallTools([Call("list_tasks", ("status", "all"))]);
        if (listed.Tasks.Count == 0) return new Reply("Your list is already empty.");
        if (!all.Confirmed)
        {
            var pending = listed.Tasks.Count(t => !t.Completed);
            return new Reply($"That would delete all {LocalReplies.Count(listed.Total, "task")} on your list" +
                             (pending > 0 ? $", including {pending} you haven't done yet" : "") +
                             ". Are you sure? Reply “yes” to go ahead.");
        }
        return new CallTools([.. listed.Tasks.Select(t => Call("delete_task", ("task_id", t.TaskId)))]);
    }

    static LocalStep Act(TaskAction action, LocalConversation c)
    {
        var done = c.Steps.Where(s => s.Name == action.Tool).ToList();
        if (done.Count > 0) return new Reply(LocalReplies.Acted(action, done, c));
        var (ids, next) = Resolve(action, c);
        return next ?? new CallTools([.. ids.Select(id => action switch
        {
            Rename rename => Call("update_task", ("task_id", id), ("title", rename.NewTitle)),
            Describe describe => Call("update_task", ("task_id", id), ("description", describe.Description)),
            _ => Call(action.Tool, ("task_id", id)),
        })]);
    }

    /// <summary>The ids the action is about, or the step that gets closer to them (a lookup, or a question).</summary>
    static (IReadOnlyList<long> Ids, LocalStep? Next) Resolve(TaskAction action, LocalConversation c)
    {
        switch (action.Target)
        {
            case ByIds { Ids.Count: > 0 } known:
                return (known.Ids, null);
            case ThatOne when c.LastTaskId() is { } id:
                return ([id], null);
            case ByPosition byPosition:
                var list = c.LastListShown();
                if (list is null) return ([], new CallTools([Call("list_tasks", ("status", "all"))]));
                var tasks = list.Tasks;
                if (tasks.Count == 0) return ([], new Reply("Your list is empty, so there's nothing to " + LocalReplies.Verb(action) + "."));
                var missing = byPosition.Positions.FirstOrDefault(p => p < 0 || p > tasks.Count, -1);
                if (missing >= 0)
                {
                    return ([], new Reply($"There's no task {missing} in the list I showed you — it has {LocalReplies.Count(tasks.Count, "task")}."));
                }
                return ([.. byPosition.Positions.Select(p => tasks[p == 0 ? tasks.Count - 1 : p - 1].TaskId)], null);
            case ByTitle byTitle:
                return ResolveTitle(action, byTitle.Phrase, c);
            default:
                return ([], new Reply($"Which task should I {LocalReplies.Verb(action)}? You can name it, or say “show my tasks” and pick a number."));
        }
    }

    static (IReadOnlyList<long> Ids, LocalStep? Next) ResolveTitle(TaskAction action, string phrase, LocalConversation c)
    {
        if (c.FindStep(phrase) is not { } found) return ([], new CallTools([Call("find_tasks", ("query", phrase))]));
        var matches = Prefer(action, found.Tasks);
        if (matches.Count == 1) return ([matches[0].TaskId], null);
        if (matches.Count > 1) return ([], new Reply(LocalReplies.WhichOne(phrase, found.Tasks, action)));

        // "mark milk and eggs as done": no task is called that, so look for each part.
        var parts = LocalLanguage.SplitTitles(phrase);
        if (parts.Count < 2) return ([], new Reply(LocalReplies.NotFound(phrase)));
        var lookups = parts.Where(p => c.FindStep(p) is null).Select(p => Call("find_tasks", ("query", p))).ToList();
        if (lookups.Count > 0) return ([], new CallTools(lookups));
        var ids = new List<long>();
        foreach (var part in parts)
        {
            var partMatches = Prefer(action, c.FindStep(part)!.Tasks);
            if (partMatches.Count == 0) return ([], new Reply(LocalReplies.NotFound(part)));
            if (partMatches.Count > 1) return ([], new Reply(LocalReplies.WhichOne(part, partMatches, action)));
            ids.Add(partMatches[0].TaskId);
        }
        return (ids, null);
    }

    /// <summary>Of several matches, the only one the action makes sense for (completing the one still open).</summary>
    static IReadOnlyList<ListedTask> Prefer(TaskAction action, IReadOnlyList<ListedTask> matches)
    {
        if (matches.Count < 2) return matches;
        var sensible = action switch
        {
            Complete => matches.Where(t => !t.Completed).ToList(),
            Reopen => matches.Where(t => t.Completed).ToList(),
            _ => [],
        };
        return sensible.Count == 1 ? sensible : matches;
    }

    static ToolCall Call(string name, params (string Name, object? Value)[] arguments) =>
        new(name, arguments.Where(a => a.Value is not null).ToDictionary(a => a.Name, a => a.Value));
}
