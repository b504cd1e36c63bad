using System.Collections.Frozen;
using System.Text.Json.Serialization.Metadata;
using System.Text.Json;
using ChatKit.ApiService.Attachments;
using ChatKit.ApiService.Infrastructure;
using ChatKit.ApiService.Turns;
using ChatKit.ApiService.ChatKit.Protocol;

namespace ChatKit.ApiService.ChatKit;

/// <summary>
/// <c>POST /api/chatkit</c>: reads the envelope <c>{type, params, metadata}</c> (<c>type</c> anywhere in the object),
/// finds the request type in <see cref="Requests"/>, parses its params and runs it. Streaming requests answer as
/// server-sent events (<see cref="ChatKitEventStream"/>), the others as JSON. Refusals are <see cref="ApiError"/>s:
/// problem details before a stream starts (the service's exception handler), an <c>error</c> event after.
/// </summary>
public sealed class ChatKitServer(ChatKitAnswers answers, TurnPipeline pipeline, WidgetActions actions, AttachmentService attachments)
{
    TurnPipeline Pipeline => pipeline;

    WidgetActions Actions => actions;

    ChatKitAnswers Answers => answers;

    /// <summary>A request type: whether it streams, and how it runs once its params are parsed.</summary>
    sealed record Route(bool Streams, Func<ChatKitServer, ChatKitCall, JsonElement, IChatKitEventSink, Task<IResult?>> Run);

    /// <summary>Every request type of the protocol (docs/chatkit-protocol.md a2), once.</summary>
    static readonly FrozenDictionary<string, Route> Requests = new Dictionary<string, Route>
    {
        ["threads.create"] = Streamed(ChatKitJson.Requests.ThreadsCreateParams, (server, call, p, sink) =>
            server.Pipeline.SendAsync(new UserTurn(call.Owner, null, Valid(p.Input), call.BaseUrl), sink, call.Aborted)),
        ["threads.add_user_message"] = Streamed(ChatKitJson.Requests.ThreadsAddUserMessageParams, (server, call, p, sink) =>
            server.Pipeline.SendAsync(new UserTurn(call.Owner, Required(p.ThreadId, "thread_id"), Valid(p.Input), call.BaseUrl),
                sink, call.Aborted)),
        ["threads.retry_after_item"] = Streamed(ChatKitJson.Requests.ThreadItemRef, (server, call, p, sink) =>
            server.Pipeline.RetryAsync(call.Owner, Required(p.ThreadId, "thread_id"), Required(p.ItemId, "item_id"), sink,
                call.Aborted)),
        ["threads.custom_action"] = Streamed(ChatKitJson.Requests.ThreadsCustomActionParams, (server, call, p, sink) =>
            server.Actions.StreamAsync(call.Owner, Required(p.ThreadId, "thread_id"), p.ItemId,
                p.Action with { Type = Required(p.Action.Type, "action.type") }, sink, call.Aborted)),
        ["threads.add_client_tool_output"] = Streamed(ChatKitJson.Requests.ThreadsAddClientToolOutputParams, (server, call, p, sink) =>
            server.Pipeline.ClientToolOutputAsync(call.Owner, Required(p.ThreadId, "thread_id"), p.Result, sink, call.Aborted)),
        ["threads.add_structured_input"] = Streamed(ChatKitJson.Requests.ThreadsAddStructuredInputParams, (server, call, p, sink) =>
            server.Pipeline.StructuredInputAsync(call.Owner, Required(p.ThreadId, "thread_id"), Required(p.ItemId, "item_id"),
                p.Input, sink, call.Aborted)),

        ["threads.get_by_id"] = Answered(ChatKitJson.Requests.ThreadRef, (server, call, p) => server.Answers.GetThreadAsync(call, p)),
        ["threads.list"] = Answered(ChatKitJson.Requests.ThreadsListParams, (server, call, p) => server.Answers.ListThreadsAsync(call, p)),
        ["items.list"] = Answered(ChatKitJson.Requests.ItemsListParams, (server, call, p) => server.Answers.ListItemsAsync(call, p)),
        ["threads.update"] = Answered(ChatKitJson.Requests.ThreadsUpdateParams, (server, call, p) => server.Answers.RenameThreadAsync(call, p)),
        ["threads.delete"] = Answered(ChatKitJson.Requests.ThreadRef, (server, call, p) => server.Answers.DeleteThreadAsync(call, p)),
        ["items.feedback"] = Answered(ChatKitJson.Requests.ItemsFeedbackParams, (server, call, p) => server.Answers.FeedbackAsync(call, p)),
        ["threads.sync_custom_action"] = Answered(ChatKitJson.Requests.ThreadsCustomActionParams, (server, call, p) => server.Answers.SyncActionAsync(call, p)),
        ["attachments.create"] = Answered(ChatKitJson.Requests.AttachmentsCreateParams, (server, call, p) => server.Answers.CreateAttachmentAsync(call, p)),
        ["attachments.delete"] = Answered(ChatKitJson.Requests.AttachmentsDeleteParams, (server, call, p) => server.Answers.DeleteAttachmentAsync(call, p)),
        ["input.transcribe"] = Answered(ChatKitJson.Requests.InputTranscribeParams, (_, _, p) => ChatKitAnswers.Transcribe(p)),
    }.ToFrozenDictionary();

    public async Task HandleAsync(HttpContext http, string owner)
    {
        using var document = await ReadBodyAsync(http);
        var (route, parameters) = ReadEnvelope(document.RootElement);
        var call = new ChatKitCall(owner, attachments.BaseUrlFor(http.Request), http.RequestAborted);
        if (!route.Streams)
        {
            var answer = await route.Run(this, call, parameters, NullEventSink.Instance);
            await answer!.ExecuteAsync(http);
            return;
        }

        await new ChatKitEventStream((sink, _) => route.Run(this, call, parameters, sink)).ExecuteAsync(http);
    }

    static Route Streamed<T>(JsonTypeInfo<T> info, Func<ChatKitServer, ChatKitCall, T, IChatKitEventSink, Task> run) =>
        new(Streams: true, async (server, call, parameters, sink) =>
        {
            await run(server, call, Parse(parameters, info), sink);
            return null;
        });

    static Route Answered<T>(JsonTypeInfo<T> info, Func<ChatKitServer, ChatKitCall, T, Task<IResult>> run) =>
        new(Streams: false, async (server, call, parameters, _) => await run(server, call, Parse(parameters, info)));

    static async Task<JsonDocument> ReadBodyAsync(HttpContext http)
    {
        try
        {
            return await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
        }
        catch (JsonException)
        {
            throw ApiError.BadRequest("invalid_json", "The request body is not valid JSON.");
        }
    }

    static (Route Route, JsonElement Params) ReadEnvelope(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw ApiError.BadRequest("invalid_request", "The request must be a JSON object {\"type\", \"params\"}.");
        if (!root.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
            throw ApiError.BadRequest("invalid_request", "The request has no \"type\".");
        var type = typeElement.GetString()!;
        if (!Requests.TryGetValue(type, out var route)) throw ApiError.BadRequest("unknown_type", $"Unknown request type '{type}'.");
        if (!root.TryGetProperty("params", out var parameters) || parameters.ValueKind != JsonValueKind.Object)
            throw ApiError.BadRequest("invalid_params", "The request needs a \"params\" object (it may be empty).");
        return (route, parameters);
    }

    static T Parse<T>(JsonElement parameters, JsonTypeInfo<T> info)
    {
        try
        {
            return parameters.Deserialize(info) ?? throw ApiError.BadRequest("invalid_params", "The params are missing.");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw ApiError.BadRequest("invalid_params", "The params are invalid: " + e.Message);
        }
    }

    /// <summary>Nullable annotations do not reach list elements: <c>"content": [null]</c> is refused here.</summary>
    static UserMessageInput Valid(UserMessageInput input) =>
        input.Content.Contains(null!) || input.Attachments.Contains(null!)
            ? throw ApiError.BadRequest("invalid_params", "params.input.content and params.input.attachments must not contain null.")
            : input;

    internal static string Required(string? value, string name) => string.IsNullOrWhiteSpace(value)
        ? throw ApiError.BadRequest("invalid_params", $"params.{name} is required.")
        : value;
}

/// <summary>Who is asking, and what the request's answers are built with.</summary>
public sealed record ChatKitCall(string Owner, string BaseUrl, CancellationToken Aborted);
