using ChatKit.Agent.Contracts;
using ChatKit.ApiService.Agent;
using ChatKit.ApiService.Conversations;
using ChatKit.ApiService.Infrastructure;
using ChatKit.ApiService.ChatKit.Protocol;
using ChatKit.ApiService.ChatKit.Widgets;

namespace ChatKit.ApiService.Turns;

/// <summary>
/// A click on a widget (threads.custom_action, threads.sync_custom_action): runs the action as a turn on the thread
/// (its lease, the user's cap) and replaces the widget in place. The model learns about it like about a tool call of
/// its own.
/// </summary>
public sealed class WidgetActions(TurnStore store, AgentClient agent, UserTurnLimiter limiter, TimeProvider clock)
{
    /// <summary>threads.custom_action: the updated widget streams as <c>thread.item.replaced</c>.</summary>
    public async Task StreamAsync(string owner, string threadId, string? itemId, WidgetAction action, IChatKitEventSink sink,
        CancellationToken ct)
    {
        using var slot = limiter.Enter(owner);
        await using var turn = await store.BeginTurnAsync(owner, threadId, ct) ?? throw ApiError.NotFound("The thread");
        var widget = itemId is null ? null : await WidgetAsync(turn, itemId, ct);
        if (itemId is not null && widget is null)
        {
            await sink.WriteAsync(new ErrorEvent(ErrorEvent.StreamError, null, AllowRetry: false));
            return;
        }
        await sink.WriteAsync(new StreamOptionsEvent(new StreamOptions(AllowCancel: true)));
        await sink.FlushAsync();
        // The stream has started: from here a refusal ends it as an error event.
        if (await ApplyAsync(turn, action, widget, ct) is { } updated) await sink.WriteAsync(new ThreadItemReplacedEvent(updated));
    }

    /// <summary>threads.sync_custom_action: the updated item (or null) as JSON.</summary>
    public async Task<RawJson?> RunAsync(string owner, string threadId, string? itemId, WidgetAction action, CancellationToken ct)
    {
        using var slot = limiter.Enter(owner);
        await using var turn = await store.BeginTurnAsync(owner, threadId, ct) ?? throw ApiError.NotFound("The thread");
        var widget = itemId is null ? null
            : await WidgetAsync(turn, itemId, ct) ?? throw ApiError.BadRequest("not_a_widget", "Actions can only come from widget items.");
        return await ApplyAsync(turn, action, widget, ct);
    }

    /// <summary>The widget item the action came from; null when the item is something else (404 when it is missing).</summary>
    async Task<WidgetItem?> WidgetAsync(ThreadTurn turn, string itemId, CancellationToken ct)
    {
        var item = await store.GetItemAsync(turn, itemId, ct) ?? throw ApiError.NotFound("The item");
        return TurnInputs.Parse(item) as WidgetItem;
    }

    async Task<RawJson?> ApplyAsync(ThreadTurn turn, WidgetAction action, WidgetItem? widget, CancellationToken ct)
    {
        if (action.Type != TaskListWidget.CompleteAction)
            throw ApiError.BadRequest("unknown_action", $"The action '{action.Type}' is not supported.");
        if (!TaskListWidget.TryGetTaskId(action.Payload, out var taskId))
            throw ApiError.BadRequest("invalid_action", "The complete_task action needs a numeric task_id in its payload.");

        var task = await agent.CompleteTaskAsync(taskId, ct) ?? throw ApiError.NotFound("The task");
        // Told to the model as if it had called the tool itself.
        var record = new ToolRecord("action_" + Ids.Secret()[..12], ChangedTaskResult.CompleteTool,
            RawJson.FromString($$"""{"task_id":{{task.Id}}}"""),
            ChatKitJson.ToRaw(new ChangedTaskResult(task.Id, "completed", task.Title), ChatKitJson.Context.ChangedTaskResult));
        await store.AppendItemsAsync(turn, [StoredItems.ToolCall(turn.ThreadId, clock.UtcNowMicros(), record)], CancellationToken.None);

        if (widget is null) return null;
        var row = new TaskListRow(task.Id, task.Title, task.Description, Completed: true);
        if (TaskListWidget.MarkCompleted(widget.Widget, row) is not { } updatedWidget) return null;
        var replaced = StoredItems.ToNew(widget with { Widget = updatedWidget }, null);
        await store.SaveItemAsync(turn, replaced, CancellationToken.None);
        return new RawJson(replaced.Data);
    }
}
