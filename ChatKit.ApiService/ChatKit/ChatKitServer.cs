using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ChatKit.ApiService.ChatKit.Attachments;
using ChatKit.ApiService.Conversations;
using ChatKit.ApiService.Turns;

namespace ChatKit.ApiService.ChatKit;

/// <summary>
/// <c>POST /api/chatkit</c>: parses the envelope <c>{type, params, metadata}</c> (type anywhere in the object),
/// dispatches on <c>type</c>, and answers streaming ops as SSE and the others as JSON. Bad JSON, an unknown type or
/// bad params are a 400 problem, unknown or foreign ids a 404, never a 500; a failure after the stream started is an
/// <c>error</c> event followed by a clean end of the stream.
/// </summary>
public sealed class ChatKitServer(ConversationStore store, TurnPipeline pipeline, AttachmentService attachments, ILogger<ChatKitServer> logger)
{
    const int DefaultPageSize = 20;
    const int MaxPageSize = 100;
    static readonly byte[] EmptyObject = "{}"u8.ToArray();

    public static bool IsStreaming(string type) => type is RequestTypes.ThreadsCreate or RequestTypes.ThreadsAddUserMessage
        or RequestTypes.ThreadsAddClientToolOutput or RequestTypes.ThreadsAddStructuredInput or RequestTypes.ThreadsRetryAfterItem
        or RequestTypes.ThreadsCustomAction;

    public async Task HandleAsync(HttpContext http, string owner, string? bearerToken)
    {
        var ct = http.RequestAborted;
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: ct);
        }
        catch (JsonException)
        {
            await WriteProblemAsync(http, ApiError.BadRequest("invalid_json", "The request body is not valid JSON."));
            return;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return;
        }

        using (document)
        {
            string type;
            JsonElement parameters;
            try
            {
                (type, parameters) = ReadEnvelope(document.RootElement);
            }
            catch (ApiError e)
            {
                await WriteProblemAsync(http, e);
                return;
            }
            if (IsStreaming(type)) await StreamAsync(http, owner, bearerToken, type, parameters);
            else await AnswerAsync(http, owner, bearerToken, type, parameters);
        }
    }

    Task StreamAsync(HttpContext http, string owner, string? bearerToken, string type, JsonElement parameters) =>
        EventStreams.RunAsync(http, logger, type, async sink =>
        {
            var ct = http.RequestAborted;
            var baseUrl = attachments.BaseUrlFor(http.Request);
            switch (type)
            {
                case RequestTypes.ThreadsCreate:
                    var create = Parse(parameters, ChatKitJson.Requests.ThreadsCreateParams);
                    await pipeline.SendAsync(new UserTurn(owner, bearerToken, null, Valid(create.Input), baseUrl), sink, ct);
                    break;
                case RequestTypes.ThreadsAddUserMessage:
                    var add = Parse(parameters, ChatKitJson.Requests.ThreadsAddUserMessageParams);
                    await pipeline.SendAsync(new UserTurn(owner, bearerToken, Required(add.ThreadId, "thread_id"), Valid(add.Input), baseUrl), sink, ct);
                    break;
                case RequestTypes.ThreadsRetryAfterItem:
                    var retry = Parse(parameters, ChatKitJson.Requests.ThreadItemRef);
                    await pipeline.RetryAsync(owner, bearerToken, Required(retry.ThreadId, "thread_id"), Required(retry.ItemId, "item_id"), sink, ct);
                    break;
                case RequestTypes.ThreadsCustomAction:
                    var action = Parse(parameters, ChatKitJson.Requests.ThreadsCustomActionParams);
                    Required(action.ThreadId, "thread_id");
                    Required(action.Action.Type, "action.type");
                    await pipeline.ActionAsync(owner, bearerToken, action, sink, ct);
                    break;
                case RequestTypes.ThreadsAddClientToolOutput:
                    var output = Parse(parameters, ChatKitJson.Requests.ThreadsAddClientToolOutputParams);
                    await pipeline.ClientToolOutputAsync(owner, bearerToken, Required(output.ThreadId, "thread_id"), output.Result, sink, ct);
                    break;
                case RequestTypes.ThreadsAddStructuredInput:
                    var structured = Parse(parameters, ChatKitJson.Requests.ThreadsAddStructuredInputParams);
                    Required(structured.ThreadId, "thread_id");
                    Required(structured.ItemId, "item_id");
                    await pipeline.StructuredInputAsync(owner, bearerToken, structured, sink, ct);
                    break;
            }
        });

    async Task AnswerAsync(HttpContext http, string owner, string? bearerToken, string type, JsonElement parameters)
    {
        var ct = http.RequestAborted;
        try
        {
            switch (type)
            {
                case RequestTypes.ThreadsGetById:
                    var get = Parse(parameters, ChatKitJson.Requests.ThreadRef);
                    var found = await store.GetThreadWithItemsAsync(owner, Required(get.ThreadId, "thread_id"), DefaultPageSize, ct)
                                ?? throw ApiError.NotFound("The thread");
                    await WriteAsync(http, ThreadViews.ToWire(found.Thread, ThreadViews.ToWire(found.Items)), ChatKitJson.Context.ChatKitThread);
                    break;

                case RequestTypes.ThreadsList:
                    var list = Parse(parameters, ChatKitJson.Requests.ThreadsListParams);
                    var threads = await store.ListThreadsAsync(owner, Limit(list.Limit), Order(list.Order), list.After, ct);
                    await WriteAsync(http, new ThreadsPage(threads.Data.Select(t => ThreadViews.ToWire(t)).ToList(), threads.HasMore, threads.After),
                        ChatKitJson.Context.ThreadsPage);
                    break;

                case RequestTypes.ItemsList:
                    var items = Parse(parameters, ChatKitJson.Requests.ItemsListParams);
                    var page = await store.ListItemsAsync(owner, Required(items.ThreadId, "thread_id"), Limit(items.Limit), Order(items.Order),
                        items.After, ct) ?? throw ApiError.NotFound("The thread");
                    await WriteAsync(http, ThreadViews.ToWire(page), ChatKitJson.Context.ItemsPage);
                    break;

                case RequestTypes.ThreadsUpdate:
                    var update = Parse(parameters, ChatKitJson.Requests.ThreadsUpdateParams);
                    var title = ValidTitle(update.Title);
                    var renamed = await store.RenameThreadAsync(owner, Required(update.ThreadId, "thread_id"), title, ct)
                                  ?? throw ApiError.NotFound("The thread");
                    await WriteAsync(http, ThreadViews.ToWire(renamed), ChatKitJson.Context.ChatKitThread);
                    break;

                case RequestTypes.ThreadsDelete:
                    var delete = Parse(parameters, ChatKitJson.Requests.ThreadRef);
                    var removed = await store.DeleteThreadAsync(owner, Required(delete.ThreadId, "thread_id"), ct)
                                  ?? throw ApiError.NotFound("The thread");
                    await attachments.DeleteContentsAsync(removed);
                    await WriteRawAsync(http, EmptyObject);
                    break;

                case RequestTypes.ItemsFeedback:
                    var feedback = Parse(parameters, ChatKitJson.Requests.ItemsFeedbackParams);
                    if (feedback.Kind is not ("positive" or "negative"))
                        throw ApiError.BadRequest("invalid_params", "kind must be \"positive\" or \"negative\".");
                    if (feedback.ItemIds.Count > MaxPageSize)
                        throw ApiError.BadRequest("invalid_params", $"At most {MaxPageSize} items per feedback request.");
                    if (!await store.SetFeedbackAsync(owner, Required(feedback.ThreadId, "thread_id"), feedback.ItemIds, feedback.Kind, ct))
                        throw ApiError.NotFound("The thread");
                    await WriteRawAsync(http, EmptyObject);
                    break;

                case RequestTypes.ThreadsSyncCustomAction:
                    var action = Parse(parameters, ChatKitJson.Requests.ThreadsCustomActionParams);
                    Required(action.ThreadId, "thread_id");
                    var updated = await pipeline.SyncActionAsync(owner, bearerToken, action, ct);
                    if (updated is { } item) await WriteAsync(http, new UpdatedItemResponse(item), ChatKitJson.Context.UpdatedItemResponse);
                    else await WriteRawAsync(http, EmptyObject);
                    break;

                case RequestTypes.AttachmentsCreate:
                    var create = Parse(parameters, ChatKitJson.Requests.AttachmentsCreateParams);
                    var attachment = await attachments.CreateAsync(owner, create, attachments.BaseUrlFor(http.Request), ct);
                    await WriteAsync(http, attachment, ChatKitJson.Context.Attachment);
                    break;

                case RequestTypes.AttachmentsDelete:
                    var remove = Parse(parameters, ChatKitJson.Requests.AttachmentsDeleteParams);
                    await attachments.DeleteAsync(owner, Required(remove.AttachmentId, "attachment_id"), ct);
                    await WriteRawAsync(http, EmptyObject);
                    break;

                case RequestTypes.InputTranscribe:
                    var transcribe = Parse(parameters, ChatKitJson.Requests.InputTranscribeParams);
                    Required(transcribe.AudioBase64, "audio_base64");
                    Required(transcribe.MimeType, "mime_type");
                    throw ApiError.BadRequest("transcription_unavailable",
                        "Dictation is not available: no speech-to-text provider is configured on this server.");
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            await WriteProblemAsync(http, e);
        }
    }

    static (string Type, JsonElement Params) ReadEnvelope(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw ApiError.BadRequest("invalid_request", "The request must be a JSON object {\"type\", \"params\"}.");
        if (!root.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
            throw ApiError.BadRequest("invalid_request", "The request has no \"type\".");
        var type = typeElement.GetString()!;
        if (!IsStreaming(type) && !IsKnownJsonOp(type))
            throw ApiError.BadRequest("unknown_type", $"Unknown request type '{type}'.");
        if (!root.TryGetProperty("params", out var parameters) || parameters.ValueKind != JsonValueKind.Object)
            throw ApiError.BadRequest("invalid_params", "The request needs a \"params\" object (it may be empty).");
        return (type, parameters);
    }

    static bool IsKnownJsonOp(string type) => type is RequestTypes.ThreadsGetById or RequestTypes.ThreadsList or RequestTypes.ItemsList
        or RequestTypes.ThreadsUpdate or RequestTypes.ThreadsDelete or RequestTypes.ItemsFeedback or RequestTypes.ThreadsSyncCustomAction
        or RequestTypes.AttachmentsCreate or RequestTypes.AttachmentsDelete or RequestTypes.InputTranscribe;

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

    static string Required(string? value, string name) => string.IsNullOrWhiteSpace(value)
        ? throw ApiError.BadRequest("invalid_params", $"params.{name} is required.")
        : value;

    static int Limit(int? limit) => limit switch
    {
        null => DefaultPageSize,
        < 1 => throw ApiError.BadRequest("invalid_params", "limit must be positive."),
        _ => Math.Min(limit.Value, MaxPageSize),
    };

    static SortOrder Order(string? order) => order switch
    {
        null or "desc" => SortOrder.Desc,
        "asc" => SortOrder.Asc,
        _ => throw ApiError.BadRequest("invalid_params", "order must be \"asc\" or \"desc\"."),
    };

    public static string ValidTitle(string? title)
    {
        var trimmed = title?.Trim() ?? "";
        if (trimmed.Length == 0) throw ApiError.BadRequest("invalid_title", "The title must not be empty.");
        if (trimmed.Length > ChatThread.TitleMaxLength)
            throw ApiError.BadRequest("invalid_title", $"The title must be at most {ChatThread.TitleMaxLength} characters.");
        return trimmed;
    }

    static Task WriteAsync<T>(HttpContext http, T value, JsonTypeInfo<T> info) =>
        http.Response.WriteAsJsonAsync(value, info, "application/json", http.RequestAborted);

    static async Task WriteRawAsync(HttpContext http, byte[] json)
    {
        http.Response.ContentType = "application/json";
        await http.Response.Body.WriteAsync(json, http.RequestAborted);
    }

    Task WriteProblemAsync(HttpContext http, Exception exception) => EventStreams.WriteProblemAsync(http, logger, exception);
}
