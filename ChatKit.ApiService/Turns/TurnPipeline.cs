using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text;
using ChatKit.ApiService.Agent;
using ChatKit.ApiService.Attachments;
using ChatKit.ApiService.Conversations;
using ChatKit.ApiService.Infrastructure;
using Microsoft.Extensions.Options;

namespace ChatKit.ApiService.Turns;

/// <summary>A user message to answer: to an existing thread, or (no thread id) to a new one.</summary>
public sealed record UserTurn(string Owner, string? ThreadId, UserMessageInput Input, string BaseUrl);

/// <summary>How a turn ended. <see cref="Failure"/> is set when the agent failed (the user message is kept).</summary>
public sealed record TurnOutcome(string ThreadId, string? UserMessageId, string? AssistantMessageId, string AssistantText,
    AgentException? Failure);

/// <summary>
/// The one turn pipeline behind both the REST endpoints and the ChatKit protocol: save what the user sent, run the
/// agent with the thread's history, stream its answer as ChatKit events (progress while tools run, a task widget
/// when the agent lists tasks, the text as it arrives), and persist the answer. Turns on one thread run one after the other.
/// Agent failures end as an <c>error</c> event and a <see cref="TurnOutcome.Failure"/>; a client that goes away
/// leaves its partial answer saved plus a hidden note for the model's next turn.
/// </summary>
public sealed class TurnPipeline(TurnStore store, AgentClient agent, AttachmentService attachments, UserTurnLimiter limiter,
    IOptions<ConversationOptions> options, TimeProvider clock, ILogger<TurnPipeline> logger)
{
    static readonly StreamOptionsEvent AllowCancel = new(new StreamOptions(AllowCancel: true));

    ConversationOptions Settings => options.Value;

    // ---- user messages -------------------------------------------------------------------------------------

    public async Task<TurnOutcome> SendAsync(UserTurn request, IChatKitEventSink sink, CancellationToken ct)
    {
        var text = TurnInputs.PlainText(request.Input.Content);
        if (text.Length > Settings.MaxMessageLength)
            throw ApiError.BadRequest("message_too_long", $"A message may be at most {Settings.MaxMessageLength} characters.");
        if (text.Length == 0 && request.Input.Attachments.Count == 0)
            throw ApiError.BadRequest("empty_message", "The message is empty.");
        InputLimits.Check(request.Input, Settings);

        using var slot = limiter.Enter(request.Owner);
        if (request.ThreadId is null) return await SendToNewThreadAsync(request, text, sink, ct);

        await using var turn = await store.BeginTurnAsync(request.Owner, request.ThreadId, ct) ?? throw ApiError.NotFound("The thread");
        var now = clock.UtcNowMicros();
        var attached = await attachments.ResolveForMessageAsync(request.Owner, request.Input.Attachments, turn.ThreadId, request.BaseUrl, ct);
        var message = UserMessage(turn.ThreadId, now, request.Input, attached);
        var title = turn.Thread.Title is null && turn.Thread.MessageCount == 0 ? Titles.FromMessage(text) : null;
        var stored = ToNew(message, text);
        InputLimits.Check(stored, "params.input", Settings);
        var history = await store.AddUserMessageAsync(turn, request.Owner, stored, title, attached.Select(a => a.Id).ToList(),
            Settings.HistoryLimit, ct);

        await sink.WriteAsync(new ThreadItemDoneEvent(new RawJson(stored.Data)));
        await sink.WriteAsync(AllowCancel);
        var context = new TurnContext(request.Owner, turn.ThreadId, turn);
        var answer = await RespondAsync(context, TurnInputs.History(history), TurnInputs.ForAgent(message), sink, ct);
        if (title is not null)
        {
            await sink.WriteAsync(new ThreadUpdatedEvent(ThreadViews.ToWire(turn.Thread with { Title = title })));
        }
        return answer.ToOutcome(turn.ThreadId, message.Id);
    }

    /// <summary>The hot path: thread (with its turn's lease), first message and title in one round trip, no history to read.</summary>
    async Task<TurnOutcome> SendToNewThreadAsync(UserTurn request, string text, IChatKitEventSink sink, CancellationToken ct)
    {
        var now = clock.UtcNowMicros();
        var threadId = Ids.Thread();
        var attached = request.Input.Attachments.Count == 0
            ? []
            : await attachments.ResolveForMessageAsync(request.Owner, request.Input.Attachments, threadId, request.BaseUrl, ct);
        var message = UserMessage(threadId, now, request.Input, attached);
        var thread = new ChatThread
        {
            Id = threadId, OwnerId = request.Owner, Title = Titles.FromMessage(text), CreatedAt = now, UpdatedAt = now, MessageCount = 1,
        };
        var stored = ToNew(message, text);
        InputLimits.Check(stored, "params.input", Settings);
        await using var turn = await store.CreateThreadWithItemsAsync(thread, [stored], attached.Select(a => a.Id).ToList(), ct);

        // As the reference server: thread.created without a title, the title follows as thread.updated.
        await sink.WriteAsync(new ThreadCreatedEvent(ThreadViews.ToWire(thread with { Title = null })));
        await sink.WriteAsync(new ThreadItemDoneEvent(new RawJson(stored.Data)));
        await sink.WriteAsync(AllowCancel);
        var context = new TurnContext(request.Owner, threadId, turn);
        var answer = await RespondAsync(context, [], TurnInputs.ForAgent(message), sink, ct);
        if (thread.Title is not null) await sink.WriteAsync(new ThreadUpdatedEvent(ThreadViews.ToWire(thread)));
        return answer.ToOutcome(threadId, message.Id);
    }

    /// <summary>threads.retry_after_item: drops everything after the user message (silently) and answers it again.</summary>
    public async Task RetryAsync(string owner, string threadId, string itemId, IChatKitEventSink sink, CancellationToken ct)
    {
        using var slot = limiter.Enter(owner);
        await using var turn = await store.BeginTurnAsync(owner, threadId, ct) ?? throw ApiError.NotFound("The thread");
        var item = await store.GetItemAsync(turn, owner, itemId, ct) ?? throw ApiError.NotFound("The item");
        if (TurnInputs.Parse(item) is not UserMessageItem message)
            throw ApiError.BadRequest("not_a_user_message", "Only a user message can be answered again.");
        await store.DeleteItemsAfterAsync(turn, owner, item.Seq, ct);
        var history = await store.LoadHistoryAsync(turn, owner, item.Seq, Settings.HistoryLimit, ct);
        await sink.WriteAsync(AllowCancel);
        await RespondAsync(new TurnContext(owner, threadId, turn), TurnInputs.History(history), TurnInputs.ForAgent(message), sink, ct);
    }

    /// <summary>threads.add_client_tool_output: completes the pending client tool call and lets the agent continue.</summary>
    public async Task ClientToolOutputAsync(string owner, string threadId, JsonElement result, IChatKitEventSink sink,
        CancellationToken ct)
    {
        var output = InputLimits.ToolOutput(result, Settings);
        using var slot = limiter.Enter(owner);
        await using var turn = await store.BeginTurnAsync(owner, threadId, ct) ?? throw ApiError.NotFound("The thread");
        var latest = await store.LatestItemsAsync(turn, owner, 20, ct);
        if (latest.Count == 0 || TurnInputs.Parse(latest[0]) is not ClientToolCallItem { Status: "pending" } call)
            throw ApiError.BadRequest("no_pending_tool_call", "The thread's newest item is not a pending client tool call.");
        var completed = ToNew(call with { Status = "completed", Output = new RawJson(output) }, null);
        InputLimits.Check(completed, "params.result", Settings);
        await store.SaveItemAsync(turn, owner, completed, ct);
        var stale = latest.Skip(1)
            .Where(i => i.Type == ItemTypes.ClientToolCall && TurnInputs.Parse(i) is ClientToolCallItem { Status: "pending" })
            .Select(i => i.Id).ToList();
        await store.DeleteItemsAsync(turn, owner, stale, ct);
        var history = await store.LoadHistoryAsync(turn, owner, beforeSeq: null, Settings.HistoryLimit, ct);
        await sink.WriteAsync(AllowCancel);
        await RespondAsync(new TurnContext(owner, threadId, turn), TurnInputs.History(history),
            new AgentTurnInput(TurnInputs.ClientToolDone), sink, ct);
    }

    /// <summary>threads.add_structured_input: records the answers (skips become {skipped:true}) and lets the agent continue.</summary>
    public async Task StructuredInputAsync(string owner, string threadId, string itemId, StructuredInputSubmission input,
        IChatKitEventSink sink, CancellationToken ct)
    {
        if (input.Status is not ("answered" or "skipped"))
            throw ApiError.BadRequest("invalid_params", "input.status must be \"answered\" or \"skipped\".");
        using var slot = limiter.Enter(owner);
        await using var turn = await store.BeginTurnAsync(owner, threadId, ct) ?? throw ApiError.NotFound("The thread");
        var item = await store.GetItemAsync(turn, owner, itemId, ct) ?? throw ApiError.NotFound("The item");
        if (TurnInputs.Parse(item) is not StructuredInputItem structured)
            throw ApiError.BadRequest("not_structured_input", "The item is not a structured input.");
        if (structured.Status != "pending") throw ApiError.Conflict("already_answered", "The structured input has been answered already.");

        InputLimits.Check(input, structured.Inputs.Select(InputId), Settings);
        var (answered, summary) = ApplyAnswers(structured, input);
        var stored = ToNew(answered, summary);
        InputLimits.Check(stored, "params.input.answers", Settings);
        await store.SaveItemAsync(turn, owner, stored, ct);
        // The answers are this turn's input; the history is what came before the question.
        var history = await store.LoadHistoryAsync(turn, owner, item.Seq, Settings.HistoryLimit, ct);
        await sink.WriteAsync(AllowCancel);
        await sink.WriteAsync(new ThreadItemReplacedEvent(new RawJson(stored.Data)));
        await RespondAsync(new TurnContext(owner, threadId, turn), TurnInputs.History(history), new AgentTurnInput(summary),
            sink, ct);
    }

    // ---- widget actions ------------------------------------------------------------------------------------

    /// <summary>threads.custom_action: runs the action and replaces its widget in place (<c>thread.item.replaced</c>).</summary>
    public async Task ActionAsync(string owner, string threadId, string? itemId, WidgetAction action, IChatKitEventSink sink,
        CancellationToken ct)
    {
        using var slot = limiter.Enter(owner);
        await using var turn = await store.BeginTurnAsync(owner, threadId, ct) ?? throw ApiError.NotFound("The thread");
        WidgetItem? widget = null;
        if (itemId is not null)
        {
            var item = await store.GetItemAsync(turn, owner, itemId, ct) ?? throw ApiError.NotFound("The item");
            if (TurnInputs.Parse(item) is not WidgetItem sender)
            {
                await sink.WriteAsync(new ErrorEvent(ErrorEvent.StreamError, null, AllowRetry: false));
                return;
            }
            widget = sender;
        }
        await sink.WriteAsync(AllowCancel);
        await sink.FlushAsync();
        // The stream has started: from here a refusal ends it as an error event.
        var updated = await ApplyActionAsync(turn, owner, action, widget, ct);
        if (updated is { } raw) await sink.WriteAsync(new ThreadItemReplacedEvent(raw));
    }

    /// <summary>threads.sync_custom_action: the same, answered as JSON with the updated item (or null).</summary>
    public async Task<RawJson?> SyncActionAsync(string owner, string threadId, string? itemId, WidgetAction action,
        CancellationToken ct)
    {
        using var slot = limiter.Enter(owner);
        await using var turn = await store.BeginTurnAsync(owner, threadId, ct) ?? throw ApiError.NotFound("The thread");
        WidgetItem? widget = null;
        if (itemId is not null)
        {
            var item = await store.GetItemAsync(turn, owner, itemId, ct) ?? throw ApiError.NotFound("The item");
            widget = TurnInputs.Parse(item) as WidgetItem
                     ?? throw ApiError.BadRequest("not_a_widget", "Actions can only come from widget items.");
        }
        return await ApplyActionAsync(turn, owner, action, widget, ct);
    }

    async Task<RawJson?> ApplyActionAsync(ThreadTurn turn, string owner, WidgetAction action, WidgetItem? widget,
        CancellationToken ct)
    {
        if (action.Type != TaskListWidget.CompleteAction)
            throw ApiError.BadRequest("unknown_action", $"The action '{action.Type}' is not supported.");
        if (!TaskListWidget.TryGetTaskId(action.Payload, out var taskId))
            throw ApiError.BadRequest("invalid_action", "The complete_task action needs a numeric task_id in its payload.");

        var task = await agent.CompleteTaskAsync(taskId, ct) ?? throw ApiError.NotFound("The task");
        var now = clock.UtcNowMicros();
        // The model learns about the click like about any tool call of its own.
        var record = new ToolRecord("action_" + Ids.Secret()[..12], CompletedTaskResult.ToolName,
            RawJson.FromString($$"""{"task_id":{{task.Id}}}"""),
            ChatKitJson.ToRaw(new CompletedTaskResult(task.Id, "completed", task.Title), ChatKitJson.Context.CompletedTaskResult));
        var items = new List<ThreadItem>
        {
            ToNew(new HiddenContextItem
            {
                Id = Ids.HiddenContext(), ThreadId = turn.ThreadId, CreatedAt = now,
                Content = ChatKitJson.ToRaw(record, ChatKitJson.Context.ToolRecord),
            }, null),
        };
        await store.AppendItemsAsync(turn, owner, items, CancellationToken.None);

        if (widget is null) return null;
        var row = new TaskListRow(task.Id, task.Title, task.Description, Completed: true);
        if (TaskListWidget.MarkCompleted(widget.Widget, row) is not { } updatedWidget) return null;
        var replaced = ToNew(widget with { Widget = updatedWidget }, null);
        await store.SaveItemAsync(turn, owner, replaced, CancellationToken.None);
        return new RawJson(replaced.Data);
    }

    // ---- respond -------------------------------------------------------------------------------------------

    sealed record TurnContext(string Owner, string ThreadId, ThreadTurn Turn);

    sealed record Answer(string? AssistantMessageId, string Text, AgentException? Failure)
    {
        public TurnOutcome ToOutcome(string threadId, string userMessageId) => new(threadId, userMessageId, AssistantMessageId, Text, Failure);
    }

    sealed class Draft(string id, DateTime createdAt)
    {
        public string Id { get; } = id;
        public DateTime CreatedAt { get; } = createdAt;
        public StringBuilder Text { get; } = new();
    }

    /// <summary>
    /// Runs the agent and streams its answer (docs/chatkit-protocol.md a4's respond events), persisting as a5 says: done items are stored
    /// (the last batch before its events go out), hidden items stored and not sent, a widget stored before it is
    /// shown so that its buttons always find it.
    /// </summary>
    async Task<Answer> RespondAsync(TurnContext context, IReadOnlyList<AgentHistoryEntry> history, AgentTurnInput input, IChatKitEventSink sink,
        CancellationToken ct)
    {
        var pending = new List<ThreadItem>();
        var calls = new Dictionary<string, AgentEvent.ToolCall>(StringComparer.Ordinal);
        var answer = new StringBuilder();
        Draft? draft = null;
        string? lastAssistantId = null;

        // The agent stops when the client goes or when the turn loses its thread's lease to another turn.
        using var running = CancellationTokenSource.CreateLinkedTokenSource(ct, context.Turn.LeaseLost);
        try
        {
            await using var events = agent.RunTurnAsync(new AgentTurnRequest(context.ThreadId, history, input), running.Token)
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
                        draft ??= await OpenDraftAsync(context, sink);
                        draft.Text.Append(delta);
                        await sink.WriteAsync(new ThreadItemUpdatedEvent(draft.Id, new ContentPartTextDelta(0, delta)));
                        break;

                    case AgentEvent.ToolCall toolCall:
                        if (draft is not null)
                        {
                            lastAssistantId = await CloseDraftAsync(context, draft, pending, answer, sink, persistFirst: false);
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
                        pending.Add(ToolItem(context.ThreadId, call, result));
                        if (result.TaskList is { Tasks: { } rows } list)
                        {
                            var (widget, copyText) = TaskListWidget.Render(rows, Math.Max(list.Total, rows.Count));
                            var item = ToNew(new WidgetItem
                            {
                                Id = Ids.Message(), ThreadId = context.ThreadId, CreatedAt = clock.UtcNowMicros(), Widget = widget, CopyText = copyText,
                            }, null);
                            pending.Add(item);
                            await FlushAsync(context, pending);
                            await sink.WriteAsync(new ThreadItemDoneEvent(new RawJson(item.Data)));
                        }
                        break;

                    case AgentEvent.Done done:
                        if (draft is null && answer.Length == 0 && !string.IsNullOrWhiteSpace(done.Text))
                        {
                            draft = await OpenDraftAsync(context, sink);
                            draft.Text.Append(done.Text);
                            await sink.WriteAsync(new ThreadItemUpdatedEvent(draft.Id, new ContentPartTextDelta(0, done.Text)));
                        }
                        if (draft is not null)
                        {
                            lastAssistantId = await CloseDraftAsync(context, draft, pending, answer, sink, persistFirst: true);
                            draft = null;
                        }
                        break;
                }
            }
            await FlushAsync(context, pending);
            return new Answer(lastAssistantId, answer.ToString(), null);
        }
        catch (OperationCanceledException) when (context.Turn.LeaseLost.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            // Fenced: whatever the turn still holds is not saved (another turn owns the thread now).
            throw new TurnSupersededException();
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // handle_stream_cancelled: keep the partial answer, tell the model next time that the user stopped it.
            var now = clock.UtcNowMicros();
            if (draft is not null && !string.IsNullOrWhiteSpace(draft.Text.ToString()))
            {
                pending.Add(AssistantItem(context.ThreadId, draft));
                lastAssistantId = draft.Id;
                answer.Append(draft.Text);
            }
            pending.Add(ToNew(new SdkHiddenContextItem
            {
                Id = Ids.SdkHiddenContext(), ThreadId = context.ThreadId, CreatedAt = now, Content = TurnInputs.CancelledNote,
            }, TurnInputs.CancelledNote));
            await FlushAsync(context, pending);
            logger.LogInformation("A turn on {ThreadId} was cancelled by the client.", context.ThreadId);
            return new Answer(lastAssistantId, answer.ToString(), null);
        }
        catch (AgentException e)
        {
            // What the agent did before failing (tool calls, widgets) stays; the unfinished message does not.
            await FlushAsync(context, pending);
            await sink.WriteAsync(new ErrorEvent(ErrorEvent.Custom, e.Message, e.Retryable));
            return new Answer(lastAssistantId, answer.ToString(), e);
        }
    }

    async Task<Draft> OpenDraftAsync(TurnContext context, IChatKitEventSink sink)
    {
        var draft = new Draft(Ids.Message(), clock.UtcNowMicros());
        var empty = new AssistantMessageItem { Id = draft.Id, ThreadId = context.ThreadId, CreatedAt = draft.CreatedAt };
        await sink.WriteAsync(new ThreadItemAddedEvent(new RawJson(ChatKitJson.Serialize(empty))));
        await sink.WriteAsync(new ThreadItemUpdatedEvent(draft.Id, new ContentPartAdded(0, new OutputText())));
        return draft;
    }

    async Task<string> CloseDraftAsync(TurnContext context, Draft draft, List<ThreadItem> pending, StringBuilder answer, IChatKitEventSink sink,
        bool persistFirst)
    {
        var item = AssistantItem(context.ThreadId, draft);
        pending.Add(item);
        // persistFirst is the agent's done: the turn's last write, which also releases the thread's lease.
        if (persistFirst) await FlushAsync(context, pending, endsTurn: true);
        if (answer.Length > 0) answer.Append("\n\n");
        answer.Append(draft.Text);
        await sink.WriteAsync(new ThreadItemUpdatedEvent(draft.Id, new ContentPartDone(0, new OutputText { Text = draft.Text.ToString() })));
        await sink.WriteAsync(new ThreadItemDoneEvent(new RawJson(item.Data)));
        return draft.Id;
    }

    /// <summary>Writes what the turn produced so far. Never cancelled: a turn that ran is kept even if the client left.</summary>
    async Task FlushAsync(TurnContext context, List<ThreadItem> pending, bool endsTurn = false)
    {
        if (pending.Count == 0) return;
        await store.AppendItemsAsync(context.Turn, context.Owner, [.. pending], CancellationToken.None, endsTurn);
        pending.Clear();
    }

    // ---- items ---------------------------------------------------------------------------------------------

    static UserMessageItem UserMessage(string threadId, DateTime now, UserMessageInput input, List<Attachment> attached) => new()
    {
        Id = Ids.Message(),
        ThreadId = threadId,
        CreatedAt = now,
        Content = input.Content,
        Attachments = attached,
        QuotedText = string.IsNullOrEmpty(input.QuotedText) ? null : input.QuotedText,
        InferenceOptions = input.InferenceOptions ?? new InferenceOptions(),
    };

    static ThreadItem AssistantItem(string threadId, Draft draft) => ToNew(new AssistantMessageItem
    {
        Id = draft.Id, ThreadId = threadId, CreatedAt = draft.CreatedAt, Content = [new OutputText { Text = draft.Text.ToString() }],
    }, draft.Text.ToString());

    ThreadItem ToolItem(string threadId, AgentEvent.ToolCall? call, AgentEvent.ToolResult result)
    {
        var record = new ToolRecord(result.CallId ?? call?.CallId ?? "", result.Name ?? call?.Name ?? "",
            call?.Arguments ?? RawJson.EmptyObject, result.Result);
        return ToNew(new HiddenContextItem
        {
            Id = Ids.HiddenContext(), ThreadId = threadId, CreatedAt = clock.UtcNowMicros(),
            Content = ChatKitJson.ToRaw(record, ChatKitJson.Context.ToolRecord),
        }, null);
    }

    static ThreadItem ToNew(ChatKitItem item, string? text) => new()
    {
        Id = item.Id, ThreadId = item.ThreadId, Type = TypeOf(item), CreatedAt = item.CreatedAt, Text = text, Data = ChatKitJson.Serialize(item),
    };

    static string TypeOf(ChatKitItem item) => item switch
    {
        UserMessageItem => ItemTypes.UserMessage,
        AssistantMessageItem => ItemTypes.AssistantMessage,
        ClientToolCallItem => ItemTypes.ClientToolCall,
        WidgetItem => ItemTypes.Widget,
        StructuredInputItem => ItemTypes.StructuredInput,
        HiddenContextItem => ItemTypes.HiddenContext,
        SdkHiddenContextItem => ItemTypes.SdkHiddenContext,
        _ => throw new ArgumentOutOfRangeException(nameof(item)),
    };

    static string InputId(JsonObject input) => input["id"]?.GetValue<string>() ?? "";

    /// <summary>Applies a structured-input submission (a4) and sums it up as text for the model.</summary>
    static (StructuredInputItem Item, string Summary) ApplyAnswers(StructuredInputItem item, StructuredInputSubmission submission)
    {
        var summary = new StringBuilder("Answers to the questions:");
        var inputs = new List<JsonObject>();
        foreach (var original in item.Inputs)
        {
            var input = (JsonObject)original.DeepClone();
            var id = InputId(input);
            StructuredInputAnswer? answer = null;
            submission.Answers?.TryGetValue(id, out answer);
            var values = answer?.Values?.Where(v => v is not null).ToList() ?? [];
            var skipped = submission.Status == "skipped" || answer is null || answer.Skipped || values.Count == 0;
            if (!skipped && (string?)input["type"] == "multiple_choice"
                && !(input["multiple"] is JsonValue multiple && multiple.TryGetValue<bool>(out var many) && many)) values = [values[0]];
            input["answer"] = new JsonObject
            {
                ["values"] = new JsonArray(skipped ? [] : values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()),
                ["skipped"] = skipped,
            };
            inputs.Add(input);
            summary.Append("\n- ").Append((string?)input["question"] ?? id).Append(": ").Append(skipped ? "(skipped)" : string.Join(", ", values));
        }
        return (item with { Status = submission.Status, Inputs = inputs }, summary.ToString());
    }
}
