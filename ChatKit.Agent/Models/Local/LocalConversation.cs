using System.Text.Json;
using ChatKit.Agent.Tools;
using ChatKit.Agent.Turns;
using Microsoft.Extensions.AI;

namespace ChatKit.Agent.Models.Local;

/// <summary>One tool call and its result, as the local model reads it from the messages.</summary>
sealed record ToolStep(string Name, IDictionary<string, object?> Arguments, JsonElement Result)
{
    public string? Status => Text(Result, "status");
    public bool Failed => Status == "error";
    public long? TaskId => Result.ValueKind == JsonValueKind.Object && Result.TryGetProperty("task_id", out var id) && id.TryGetInt64(out var value) ? value : null;
    public string? Title => Text(Result, "title");
    public string? Message => Text(Result, "message");
    public int Total => Result.ValueKind == JsonValueKind.Object && Result.TryGetProperty("total", out var total) && total.TryGetInt32(out var value) ? value : Tasks.Count;

    public IReadOnlyList<ListedTask> Tasks =>
        Result.ValueKind == JsonValueKind.Object && Result.TryGetProperty("tasks", out var tasks) && tasks.ValueKind == JsonValueKind.Array
            ? [.. tasks.EnumerateArray().Select((t, i) => new ListedTask(
                t.TryGetProperty("task_id", out var id) && id.TryGetInt64(out var value) ? value : 0,
                Text(t, "title") ?? "",
                t.TryGetProperty("completed", out var done) && done.ValueKind == JsonValueKind.True,
                t.TryGetProperty("position", out var p) && p.TryGetInt32(out var position) ? position : i + 1))]
            : [];

    public string? Argument(string name) => Arguments.TryGetValue(name, out var value) ? value switch
    {
        null => null,
        JsonElement { ValueKind: JsonValueKind.String } json => json.GetString(),
        var other => other.ToString(),
    } : null;

    static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString() : null;
}

sealed record ListedTask(long TaskId, string Title, bool Completed, int Position);

/// <summary>The turn that came before the current one: what the user said, the tools that ran, what was answered.</summary>
sealed record PreviousTurn(string UserText, IReadOnlyList<ToolStep> Steps, string AssistantText);

/// <summary>
/// What the local model reads from the messages it is given: the latest user message (and its tagged tasks), the tool
/// results since then (this turn's progress), and earlier tool results (the last list shown, the task just talked about).
/// </summary>
sealed class LocalConversation
{
    public required string Text { get; init; }
    public required IReadOnlyList<long> Tagged { get; init; }
    public required IReadOnlyList<ToolStep> Steps { get; init; }
    public required IReadOnlyList<ToolStep> EarlierSteps { get; init; }
    public PreviousTurn? Previous { get; init; }

    public static LocalConversation Read(IEnumerable<ChatMessage> messages)
    {
        var list = messages.ToList();
        var calls = list.SelectMany(m => m.Contents.OfType<FunctionCallContent>())
            .GroupBy(c => c.CallId).ToDictionary(g => g.Key, g => g.Last());
        var lastUser = list.FindLastIndex(m => m.Role == ChatRole.User);
        var previousUser = lastUser > 0 ? list.FindLastIndex(lastUser - 1, m => m.Role == ChatRole.User) : -1;
        var user = lastUser >= 0 ? list[lastUser] : new ChatMessage(ChatRole.User, "");
        var texts = user.Contents.OfType<TextContent>().Select(t => t.Text).ToList();

        return new LocalConversation
        {
            Text = string.Join(" ", texts.Where(t => !TurnPrompt.IsTaggedTasks(t))),
            Tagged = [.. texts.Where(TurnPrompt.IsTaggedTasks).SelectMany(TurnPrompt.TaggedTaskIds)],
            Steps = StepsBetween(list, calls, lastUser + 1, list.Count),
            EarlierSteps = StepsBetween(list, calls, 0, Math.Max(lastUser, 0)),
            Previous = previousUser < 0 ? null : new PreviousTurn(
                string.Join(" ", list[previousUser].Contents.OfType<TextContent>().Select(t => t.Text).Where(t => !TurnPrompt.IsTaggedTasks(t))),
                StepsBetween(list, calls, previousUser + 1, lastUser),
                string.Concat(list.Skip(previousUser + 1).Take(lastUser - previousUser - 1)
                    .Where(m => m.Role == ChatRole.Assistant).Select(m => m.Text))),
        };
    }

    public ToolStep? LastStep(string tool) => Steps.LastOrDefault(s => s.Name == tool);

    public ToolStep? FindStep(string query) =>
        Steps.LastOrDefault(s => s.Name == "find_tasks" && string.Equals(s.Argument("query"), query, StringComparison.OrdinalIgnoreCase));

    /// <summary>The list "task 3" refers to: the newest list of tasks, or the newest set of several matches offered as a choice.</summary>
    public ToolStep? LastListShown() => AllStepsNewestFirst().FirstOrDefault(IsShownList);

    /// <summary>The task the conversation was just about ("delete it"): the newest single task in a tool result.</summary>
    public long? LastTaskId() =>
        AllStepsNewestFirst().Select(s => s.TaskId ?? (s.Name == "find_tasks" && s.Tasks.Count == 1 ? s.Tasks[0].TaskId : null))
            .FirstOrDefault(id => id is not null);

    /// <summary>The title a task had before this turn changed it.</summary>
    public string? TitleOf(long id) =>
        AllStepsNewestFirst().Where(s => s.Name != "update_task").Select(s => s.TaskId == id ? s.Title : s.Tasks.FirstOrDefault(t => t.TaskId == id)?.Title)
            .FirstOrDefault(title => title is not null);

    IEnumerable<ToolStep> AllStepsNewestFirst() => Steps.Reverse().Concat(EarlierSteps.Reverse());

    static bool IsShownList(ToolStep step) =>
        !step.Failed && (step.Name == "list_tasks" || step.Name == "find_tasks" && step.Tasks.Count > 1);

    static List<ToolStep> StepsBetween(List<ChatMessage> messages, Dictionary<string, FunctionCallContent> calls, int from, int to)
    {
        var steps = new List<ToolStep>();
        for (var i = from; i < to; i++)
        {
            foreach (var result in messages[i].Contents.OfType<FunctionResultContent>())
            {
                if (calls.TryGetValue(result.CallId, out var call))
                {
                    steps.Add(new ToolStep(TaskToolset.Plain(call.Name), call.Arguments ?? new Dictionary<string, object?>(), TaskToolset.ResultJson(result)));
                }
            }
        }
        return steps;
    }
}
