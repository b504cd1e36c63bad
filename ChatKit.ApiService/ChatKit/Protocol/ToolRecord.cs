using ChatKit.ApiService.Infrastructure;

namespace ChatKit.ApiService.ChatKit.Protocol;

/// <summary>What a hidden_context_item of this server holds: one agent tool call and its result.</summary>
public sealed record ToolRecord(string CallId, string Name, RawJson Arguments, RawJson? Result)
{
    public const string ToolCallKind = "tool_call";
    public string Kind => ToolCallKind;
}

/// <summary>
/// A task completed from a task list, outside a turn, goes into the thread's history as if the model had called the
/// agent's <c>complete_task</c> tool with <c>{"task_id"}</c> and got this result, so the model hears of it.
/// </summary>
public sealed record CompletedTaskResult(long TaskId, string Status, string Title)
{
    public const string ToolName = "complete_task";
}
