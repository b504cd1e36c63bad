using System.Text.Json;
using ChatKit.Agent.Contracts;
using ChatKit.ApiService.Agent;
using ChatKit.ApiService.Attachments;
using ChatKit.ApiService.Conversations;
using ChatKit.ApiService.Infrastructure;
using ChatKit.ApiService.ChatKit.Protocol;
using Microsoft.Extensions.Options;

namespace ChatKit.ApiService.Turns;

/// <summary>A user message to answer: to an existing thread, or (no thread id) to a new one.</summary>
public sealed record UserTurn(string Owner, string? ThreadId, UserMessageInput Input, string BaseUrl);

/// <summary>How a turn ended. <see cref="Failure"/> is set when the agent failed (the user message is kept).</summary>
public sealed record TurnOutcome(string ThreadId, string? UserMessageId, string? AssistantMessageId, string AssistantText,
    AgentException? Failure);

/// <summary>
/// The turns behind both the REST endpoints and the ChatKit protocol: each takes its place on the thread (the user's
/// cap, the thread's lease: turns on one thread run one after the other), saves what the user sent and lets
/// <see cref="TurnResponder"/> answer with the thread's history.
/// </summary>
public sealed class TurnPipeline(TurnStore store, TurnResponder responder, AttachmentService attachments, UserTurnLimiter limiter,
    IOptions<ConversationOptions> options, TimeProvider clock)
{
    ConversationOptions Settings => options.Value;

    /// <summary>
    /// threads.create, threads.add_user_message, the REST message: saves the message (a new thread, its first turn's
    /// lease and first message in one round trip) and answers it.
    /// </summary>
    public async Task<TurnOutcome> SendAsync(UserTurn request, IChatKitEventSink sink, CancellationToken ct)
    {
        var text = TurnInputs.PlainText(request.Input.Content);
        if (text.Length > Settings.MaxMessageLength)
            throw ApiError.BadRequest("message_too_long", $"A message may be at most {Settings.MaxMessageLength} characters.");
        if (text.Length == 0 && request.Input.Attachments.Count == 0)
            throw ApiError.BadRequest("empty_message", "The message is empty.");
        InputLimits.Check(request.Input, Settings);

        using var slot = limiter.Enter(request.Owner);
        var threadId = request.ThreadId ?? Ids.Thread();
        var attached = request.Input.Attachments.Count == 0
            ? []
            : await attachments.ResolveForMessageAsync(request.Owner, request.Input.Attachments, threadId, request.BaseUrl, ct);
        var message = StoredItems.UserMessage(threadId, clock.UtcNowMicros(), request.Input, attached);
        var stored = StoredItems.ToNew(message, text);
        InputLimits.Check(stored, "params.input", Settings);
        var attachmentIds = attached.Select(a => a.Id).ToList();

        if (request.ThreadId is null)
        {
            var thread = new ChatThread
            {
                Id = threadId, OwnerId = request.Owner, Title = Titles.FromMessage(text), CreatedAt = message.CreatedAt,
                UpdatedAt = message.CreatedAt, MessageCount = 1,
            };
            await using var created = await store.CreateThreadWithItemsAsync(thread, [stored], attachmentIds, ct);
            // As the reference server: thread.created without a title, the title follows as thread.updated.
            await sink.WriteAsync(new ThreadCreatedEvent(ThreadViews.ToWire(thread with { Title = null })));
            return await AnswerAsync(created, [], message, stored, thread.Title, sink, ct);
        }

        // The lease and the message in one round trip; the first message of a thread without a title names it.
        var title = Titles.FromMessage(text);
        var followUp = await store.BeginFollowUpAsync(request.Owner, threadId, new FollowUpMessage(stored, title, attachmentIds, Settings.HistoryLimit), ct)
            ?? throw ApiError.NotFound("The thread");
        await using var turn = followUp.Turn;
        return await AnswerAsync(turn, followUp.History, message, stored, followUp.Titled ? title : null, sink, ct);
    }

    async Task<TurnOutcome> AnswerAsync(ThreadTurn turn, IReadOnlyList<ThreadItem> history, UserMessageItem message, ThreadItem stored,
        string? newTitle, IChatKitEventSink sink, CancellationToken ct)
    {
        await sink.WriteAsync(new ThreadItemDoneEvent(new RawJson(stored.Data)));
        await sink.WriteAsync(StreamOptionsEvent.AllowCancel);
        var answer = await responder.RespondAsync(turn, TurnInputs.History(history), TurnInputs.ForAgent(message), sink, ct);
        if (newTitle is not null) await sink.WriteAsync(new ThreadUpdatedEvent(ThreadViews.ToWire(turn.Thread with { Title = newTitle })));
        return new TurnOutcome(turn.ThreadId, message.Id, answer.AssistantMessageId, answer.Text, answer.Failure);
    }

    /// <summary>threads.retry_after_item: drops everything after the user message (silently) and answers it again.</summary>
    public async Task RetryAsync(string owner, string threadId, string itemId, IChatKitEventSink sink, CancellationToken ct)
    {
        using var slot = limiter.Enter(owner);
        await using var turn = await store.BeginTurnAsync(owner, threadId, ct) ?? throw ApiError.NotFound("The thread");
        var item = await store.GetItemAsync(turn, itemId, ct) ?? throw ApiError.NotFound("The item");
        if (TurnInputs.Parse(item) is not UserMessageItem message)
            throw ApiError.BadRequest("not_a_user_message", "Only a user message can be answered again.");
        await store.DeleteItemsAfterAsync(turn, item.Seq, ct);
        var history = await store.LoadHistoryAsync(turn, item.Seq, Settings.HistoryLimit, ct);
        await sink.WriteAsync(StreamOptionsEvent.AllowCancel);
        await responder.RespondAsync(turn, TurnInputs.History(history), TurnInputs.ForAgent(message), sink, ct);
    }

    /// <summary>threads.add_client_tool_output: completes the pending client tool call and lets the agent continue.</summary>
    public async Task ClientToolOutputAsync(string owner, string threadId, JsonElement result, IChatKitEventSink sink,
        CancellationToken ct)
    {
        var output = InputLimits.ToolOutput(result, Settings);
        using var slot = limiter.Enter(owner);
        await using var turn = await store.BeginTurnAsync(owner, threadId, ct) ?? throw ApiError.NotFound("The thread");
        var latest = await store.LatestItemsAsync(turn, 20, ct);
        if (latest.Count == 0 || TurnInputs.Parse(latest[0]) is not ClientToolCallItem { Status: "pending" } call)
            throw ApiError.BadRequest("no_pending_tool_call", "The thread's newest item is not a pending client tool call.");
        var completed = StoredItems.ToNew(call with { Status = "completed", Output = new RawJson(output) }, null);
        InputLimits.Check(completed, "params.result", Settings);
        await store.SaveItemAsync(turn, completed, ct);
        var stale = latest.Skip(1)
            .Where(i => i.Type == ItemTypes.ClientToolCall && TurnInputs.Parse(i) is ClientToolCallItem { Status: "pending" })
            .Select(i => i.Id).ToList();
        await store.DeleteItemsAsync(turn, stale, ct);
        var history = await store.LoadHistoryAsync(turn, beforeSeq: null, Settings.HistoryLimit, ct);
        await sink.WriteAsync(StreamOptionsEvent.AllowCancel);
        await responder.RespondAsync(turn, TurnInputs.History(history), new AgentTurnInput(TurnInputs.ClientToolDone), sink, ct);
    }

    /// <summary>threads.add_structured_input: records the answers (skips become {skipped:true}) and lets the agent continue.</summary>
    public async Task StructuredInputAsync(string owner, string threadId, string itemId, StructuredInputSubmission input,
        IChatKitEventSink sink, CancellationToken ct)
    {
        if (input.Status is not ("answered" or "skipped"))
            throw ApiError.BadRequest("invalid_params", "input.status must be \"answered\" or \"skipped\".");
        using var slot = limiter.Enter(owner);
        await using var turn = await store.BeginTurnAsync(owner, threadId, ct) ?? throw ApiError.NotFound("The thread");
        var item = await store.GetItemAsync(turn, itemId, ct) ?? throw ApiError.NotFound("The item");
        if (TurnInputs.Parse(item) is not StructuredInputItem structured)
            throw ApiError.BadRequest("not_structured_input", "The item is not a structured input.");
        if (structured.Status != "pending") throw ApiError.Conflict("already_answered", "The structured input has been answered already.");

        InputLimits.Check(input, structured.Inputs.Select(StructuredAnswers.InputId), Settings);
        var (answered, summary) = StructuredAnswers.Apply(structured, input);
        var stored = StoredItems.ToNew(answered, summary);
        InputLimits.Check(stored, "params.input.answers", Settings);
        await store.SaveItemAsync(turn, stored, ct);
        // The answers are this turn's input; the history is what came before the question.
        var history = await store.LoadHistoryAsync(turn, item.Seq, Settings.HistoryLimit, ct);
        await sink.WriteAsync(StreamOptionsEvent.AllowCancel);
        await sink.WriteAsync(new ThreadItemReplacedEvent(new RawJson(stored.Data)));
        await responder.RespondAsync(turn, TurnInputs.History(history), new AgentTurnInput(summary), sink, ct);
    }
}
