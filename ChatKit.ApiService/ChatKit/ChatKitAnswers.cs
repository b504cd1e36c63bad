using System.Text.Json.Serialization.Metadata;
using ChatKit.ApiService.Attachments;
using ChatKit.ApiService.ChatKit.Protocol;
using ChatKit.ApiService.Conversations;
using ChatKit.ApiService.Infrastructure;
using ChatKit.ApiService.Turns;

namespace ChatKit.ApiService.ChatKit;

/// <summary>The ChatKit requests answered with JSON (docs/chatkit-protocol.md a2): reads and changes of threads, items and attachments.</summary>
public sealed class ChatKitAnswers(ThreadStore threads, ItemStore items, WidgetActions actions, AttachmentService attachments)
{
    const int DefaultPageSize = 20;
    const int MaxPageSize = 100;

    public async Task<IResult> GetThreadAsync(ChatKitCall call, ThreadRef request)
    {
        var found = await threads.GetThreadWithItemsAsync(call.Owner, ChatKitServer.Required(request.ThreadId, "thread_id"), DefaultPageSize, call.Aborted)
                    ?? throw ApiError.NotFound("The thread");
        return Json(ThreadViews.ToWire(found.Thread, ThreadViews.ToWire(found.Items)), ChatKitJson.Context.ChatKitThread);
    }

    public async Task<IResult> ListThreadsAsync(ChatKitCall call, ThreadsListParams request)
    {
        var page = await threads.ListThreadsAsync(call.Owner, Limit(request.Limit), Order(request.Order), request.After, call.Aborted);
        return Json(new ThreadsPage(page.Data.Select(t => ThreadViews.ToWire(t)).ToList(), page.HasMore, page.After),
            ChatKitJson.Context.ThreadsPage);
    }

    public async Task<IResult> ListItemsAsync(ChatKitCall call, ItemsListParams request)
    {
        var page = await items.ListItemsAsync(call.Owner, ChatKitServer.Required(request.ThreadId, "thread_id"), Limit(request.Limit), Order(request.Order),
            request.After, call.Aborted) ?? throw ApiError.NotFound("The thread");
        return Json(ThreadViews.ToWire(page), ChatKitJson.Context.ItemsPage);
    }

    public async Task<IResult> RenameThreadAsync(ChatKitCall call, ThreadsUpdateParams request)
    {
        var renamed = await threads.RenameThreadAsync(call.Owner, ChatKitServer.Required(request.ThreadId, "thread_id"), Titles.Valid(request.Title), call.Aborted)
                      ?? throw ApiError.NotFound("The thread");
        return Json(ThreadViews.ToWire(renamed), ChatKitJson.Context.ChatKitThread);
    }

    public async Task<IResult> DeleteThreadAsync(ChatKitCall call, ThreadRef request)
    {
        var threadId = ChatKitServer.Required(request.ThreadId, "thread_id");
        if (!await threads.DeleteThreadAsync(call.Owner, threadId, call.Aborted)) throw ApiError.NotFound("The thread");
        await attachments.DeleteThreadAttachmentsAsync(call.Owner, threadId, call.Aborted);
        return EmptyObject;
    }

    public async Task<IResult> FeedbackAsync(ChatKitCall call, ItemsFeedbackParams request)
    {
        if (request.Kind is not ("positive" or "negative"))
            throw ApiError.BadRequest("invalid_params", "kind must be \"positive\" or \"negative\".");
        if (request.ItemIds.Count > MaxPageSize)
            throw ApiError.BadRequest("invalid_params", $"At most {MaxPageSize} items per feedback request.");
        if (!await items.SetFeedbackAsync(call.Owner, ChatKitServer.Required(request.ThreadId, "thread_id"), request.ItemIds, request.Kind, call.Aborted))
            throw ApiError.NotFound("The thread");
        return EmptyObject;
    }

    public async Task<IResult> SyncActionAsync(ChatKitCall call, ThreadsCustomActionParams request)
    {
        var updated = await actions.RunAsync(call.Owner, ChatKitServer.Required(request.ThreadId, "thread_id"), request.ItemId,
            request.Action, call.Aborted);
        return updated is { } item ? Json(new UpdatedItemResponse(item), ChatKitJson.Context.UpdatedItemResponse) : EmptyObject;
    }

    public async Task<IResult> CreateAttachmentAsync(ChatKitCall call, AttachmentsCreateParams request)
    {
        var attachment = await attachments.CreateAsync(call.Owner, request.Name, request.Size, request.MimeType, call.BaseUrl, call.Aborted);
        return Json(attachment, ChatKitJson.Context.Attachment);
    }

    public async Task<IResult> DeleteAttachmentAsync(ChatKitCall call, AttachmentsDeleteParams request)
    {
        await attachments.DeleteAsync(call.Owner, ChatKitServer.Required(request.AttachmentId, "attachment_id"), call.Aborted);
        return EmptyObject;
    }

    public static Task<IResult> Transcribe(InputTranscribeParams request)
    {
        ChatKitServer.Required(request.AudioBase64, "audio_base64");
        ChatKitServer.Required(request.MimeType, "mime_type");
        throw ApiError.BadRequest("transcription_unavailable",
            "Dictation is not available: no speech-to-text provider is configured on this server.");
    }

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

    static IResult Json<T>(T value, JsonTypeInfo<T> info) => TypedResults.Json(value, info, "application/json");

    static readonly IResult EmptyObject = TypedResults.Text("{}", "application/json");
}
