using System.Text;
using ChatKit.Agent.Contracts;
using ChatKit.ApiService.Agent;
using ChatKit.ApiService.Conversations;
using ChatKit.ApiService.ChatKit.Protocol;
using ChatKit.ApiService.ChatKit.Widgets;

namespace ChatKit.ApiService.Turns;

/// <summary>What the agent answered in a turn. <see cref="Failure"/> is set when the agent failed (the input is kept).</summary>
public sealed record TurnAnswer(string? AssistantMessageId, string Text, AgentException? Failure);

/// <summary>
/// Runs the agent on a turn and streams its answer (docs/chatkit-protocol.md a4's respond events), persisting as a5
/// says: done items are stored (the last batch before its events go out), hidden items stored and not sent, a widget
/// stored before it is shown so that its buttons always find it. Agent failures end as an <c>error</c> event; a client
/// that goes away leaves its partial answer saved plus a hidden note for the model's next turn; a turn that loses its
/// lease stops and saves nothing more (<see cref="TurnSupersededException"/>).
/// </summary>
public sealed class TurnResponder(TurnStore store, AgentClient agent, TimeProvider clock, ILogger<TurnResponder> logger)
{
    sealed class Draft(string id, DateTime createdAt)
    {
        public string Id { get; } = id;
        public DateTime CreatedAt { get; } = createdAt;
        public StringBuilder Text { get; } = new();
    }

    public async Task<TurnAnswer> RespondAsync(ThreadTurn turn, IReadOnlyList<AgentHistoryEntry> history, AgentTurnInput input,
        IChatKitEventSink sink, CancellationToken ct)
    {
        var pending = new List<ThreadItem>();
        var calls = new Dictionary<string, AgentEvent.ToolCall>(StringComparer.Ordinal);
        var answer = new StringBuilder();
        Draft? draft = null;
        string? lastAssistantId = null;

        // The agent stops when the client goes or when the turn loses its thread's lease to another turn.
        using var running = CancellationTokenSource.CreateLinkedTokenSource(ct, turn.LeaseLost);
        try
        {
            await using var events = agent.RunTurnAsync(new AgentTurnRequest(turn.ThreadId, history, input), running.Token)
                .GetAsyncEnumerator(running.Token);
            while (true)
            {
                // Send what is written only when the agent makes us wait: events that arrive together leave together.
                var next = events.MoveNextAsync();
                if (!next.IsCompleted) await sink.FlushAsync();
                if (!await next) break;
                switch (events.Current)
                {
                    case AgentEvent.TextDelta { Delta: { Length: > 0 } delta }:
                        draft ??= await OpenDraftAsync(turn, sink);
                        draft.Text.Append(delta);
                        await sink.WriteAsync(new ThreadItemUpdatedEvent(draft.Id, new ContentPartTextDelta(0, delta)));
                        break;

                    case AgentEvent.ToolCall toolCall:
                        if (draft is not null)
                        {
                            lastAssistantId = await CloseDraftAsync(turn, draft, pending, answer, sink, endsTurn: false);
                            draft = null;
                        }
                        if (toolCall.CallId is not null) calls[toolCall.CallId] = toolCall;
                        // What to show is the agent's to say; a call without it still shows that something is going on.
                        await sink.WriteAsync(toolCall.Display is { Text.Length: > 0 } display
                            ? new ProgressUpdateEvent(display.Icon, display.Text)
                            : new ProgressUpdateEvent("sparkle", "Working on it…"));
                        break;

                    case AgentEvent.ToolResult result:
                        var call = result.CallId is null ? null : calls.GetValueOrDefault(result.CallId);
                        pending.Add(StoredItems.ToolCall(turn.ThreadId, clock.UtcNowMicros(), new ToolRecord(
                            result.CallId ?? call?.CallId ?? "", result.Name ?? call?.Name ?? "", call?.Arguments ?? RawJson.EmptyObject, result.Result)));
                        if (result.TaskList is { Tasks: { } rows } list)
                        {
                            var (widget, copyText) = TaskListWidget.Render(rows, Math.Max(list.Total, rows.Count));
                            var item = StoredItems.ToNew(new WidgetItem
                            {
                                Id = Ids.Message(), ThreadId = turn.ThreadId, CreatedAt = clock.UtcNowMicros(), Widget = widget, CopyText = copyText,
                            }, null);
                            pending.Add(item);
                            await FlushAsync(turn, pending);
                            await sink.WriteAsync(new ThreadItemDoneEvent(new RawJson(item.Data)));
                        }
                        break;

                    case AgentEvent.Done done:
                        if (draft is null && answer.Length == 0 && !string.IsNullOrWhiteSpace(done.Text))
                        {
                            draft = await OpenDraftAsync(turn, sink);
                            draft.Text.Append(done.Text);
                            await sink.WriteAsync(new ThreadItemUpdatedEvent(draft.Id, new ContentPartTextDelta(0, done.Text)));
                        }
                        if (draft is not null)
                        {
                            lastAssistantId = await CloseDraftAsync(turn, draft, pending, answer, sink, endsTurn: true);
                            draft = null;
                        }
                        break;
                }
            }
            await FlushAsync(turn, pending);
            return new TurnAnswer(lastAssistantId, answer.ToString(), null);
        }
        catch (OperationCanceledException) when (turn.LeaseLost.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            // Fenced: whatever the turn still holds is not saved (another turn owns the thread now).
            throw new TurnSupersededException();
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // handle_stream_cancelled: keep the partial answer, tell the model next time that the user stopped it.
            if (draft is not null && !string.IsNullOrWhiteSpace(draft.Text.ToString()))
            {
                pending.Add(StoredItems.AssistantMessage(turn.ThreadId, draft.Id, draft.CreatedAt, draft.Text.ToString()));
                lastAssistantId = draft.Id;
                answer.Append(draft.Text);
            }
            pending.Add(StoredItems.ToNew(new SdkHiddenContextItem
            {
                Id = Ids.SdkHiddenContext(), ThreadId = turn.ThreadId, CreatedAt = clock.UtcNowMicros(), Content = TurnInputs.CancelledNote,
            }, TurnInputs.CancelledNote));
            await FlushAsync(turn, pending);
            logger.LogInformation("A turn on {ThreadId} was cancelled by the client.", turn.ThreadId);
            return new TurnAnswer(lastAssistantId, answer.ToString(), null);
        }
        catch (AgentException e)
        {
            // What the agent did before failing (tool calls, widgets) stays; the unfinished message does not.
            await FlushAsync(turn, pending);
            await sink.WriteAsync(new ErrorEvent(ErrorEvent.Custom, e.Message, e.Retryable));
            return new TurnAnswer(lastAssistantId, answer.ToString(), e);
        }
    }

    async Task<Draft> OpenDraftAsync(ThreadTurn turn, IChatKitEventSink sink)
    {
        var draft = new Draft(Ids.Message(), clock.UtcNowMicros());
        var empty = new AssistantMessageItem { Id = draft.Id, ThreadId = turn.ThreadId, CreatedAt = draft.CreatedAt };
        await sink.WriteAsync(new ThreadItemAddedEvent(new RawJson(ChatKitJson.Serialize(empty))));
        await sink.WriteAsync(new ThreadItemUpdatedEvent(draft.Id, new ContentPartAdded(0, new OutputText())));
        return draft;
    }

    async Task<string> CloseDraftAsync(ThreadTurn turn, Draft draft, List<ThreadItem> pending, StringBuilder answer, IChatKitEventSink sink,
        bool endsTurn)
    {
        var text = draft.Text.ToString();
        var item = StoredItems.AssistantMessage(turn.ThreadId, draft.Id, draft.CreatedAt, text);
        pending.Add(item);
        // The agent's done: the turn's last write, which also releases the thread's lease.
        if (endsTurn) await FlushAsync(turn, pending, endsTurn: true);
        if (answer.Length > 0) answer.Append("\n\n");
        answer.Append(text);
        await sink.WriteAsync(new ThreadItemUpdatedEvent(draft.Id, new ContentPartDone(0, new OutputText { Text = text })));
        await sink.WriteAsync(new ThreadItemDoneEvent(new RawJson(item.Data)));
        return draft.Id;
    }

    /// <summary>Writes what the turn produced so far. Never cancelled: a turn that ran is kept even if the client left.</summary>
    async Task FlushAsync(ThreadTurn turn, List<ThreadItem> pending, bool endsTurn = false)
    {
        if (pending.Count == 0) return;
        await store.AppendItemsAsync(turn, [.. pending], CancellationToken.None, endsTurn);
        pending.Clear();
    }
}
