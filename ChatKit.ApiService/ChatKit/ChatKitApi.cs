using ChatKit.ApiService.Attachments;
using ChatKit.ApiService.Auth;
using ChatKit.ApiService.Infrastructure;
using ChatKit.ServiceDefaults.Auth;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using ChatKit.ApiService.ChatKit.Protocol;

namespace ChatKit.ApiService.ChatKit;

/// <summary>The ChatKit custom-backend endpoint and the attachment upload/preview URLs it hands out.</summary>
public static class ChatKitApi
{
    /// <summary>Requests are small (a message is at most 8,000 characters); dictation audio would be the largest.</summary>
    public const int MaxRequestBytes = 4 * 1024 * 1024;

    public static RouteGroupBuilder MapChatKitApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/chatkit").WithTags("ChatKit");
        group.MapPost("", HandleAsync).RequireAuthorization().RequireRateLimiting(UserRateLimits.Writes)
            .WithMetadata(new RequestSizeLimitAttribute(MaxRequestBytes));
        // Capability URLs (random access key): ChatKit's iframe uploads and shows previews without our Authorization header.
        group.MapPost("/attachments/{attachmentId}/upload", UploadAsync).AllowAnonymous().DisableAntiforgery()
            .RequireRateLimiting(UserRateLimits.Uploads);
        group.MapPut("/attachments/{attachmentId}/upload", UploadAsync).AllowAnonymous().DisableAntiforgery()
            .RequireRateLimiting(UserRateLimits.Uploads);
        group.MapGet("/attachments/{attachmentId}/content", ContentAsync).AllowAnonymous();
        return group;
    }

    static Task HandleAsync(HttpContext http, ChatKitServer server, CurrentUser user) => server.HandleAsync(http, user.Id);

    static async Task<JsonHttpResult<Attachment>> UploadAsync(string attachmentId, string? key, HttpRequest request, AttachmentService attachments,
        CancellationToken ct)
    {
        // The configured attachment limit plus room for the multipart framing; more is a 413 while reading.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = attachments.MaxUploadBytes + 64 * 1024;
        Stream content;
        if (request.HasFormContentType)
        {
            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync(ct);
            }
            catch (Exception e) when (e is InvalidDataException or IOException && e is not BadHttpRequestException)
            {
                throw ApiError.BadRequest("invalid_multipart", "The upload is not a readable multipart/form-data body.");
            }
            var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
            if (file is null) throw ApiError.BadRequest("missing_file", "The upload needs a multipart field named \"file\".");
            content = file.OpenReadStream();
        }
        else
        {
            content = request.Body;
        }
        await using (content)
        {
            var attachment = await attachments.UploadAsync(attachmentId, key, content, attachments.BaseUrlFor(request), ct);
            return TypedResults.Json(attachment, ChatKitJson.Context.Attachment);
        }
    }

    static async Task<FileContentHttpResult> ContentAsync(string attachmentId, string? key, HttpResponse response, AttachmentService attachments,
        CancellationToken ct)
    {
        var (record, content) = await attachments.OpenAsync(attachmentId, key, ct);
        response.Headers.CacheControl = "private, max-age=3600";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        var inline = record.MimeType.StartsWith("image/", StringComparison.Ordinal);
        return TypedResults.File(content, record.MimeType, inline ? null : record.Name, enableRangeProcessing: true);
    }
}
