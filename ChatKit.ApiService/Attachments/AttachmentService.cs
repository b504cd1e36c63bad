using System.Security.Cryptography;
using System.Text.RegularExpressions;
using System.Text;
using ChatKit.Agent.Contracts;
using ChatKit.ApiService.Conversations;
using ChatKit.ApiService.Infrastructure;
using ChatKit.ApiService.ChatKit.Protocol;
using Microsoft.Extensions.Options;

namespace ChatKit.ApiService.Attachments;

/// <summary>
/// Two-phase attachments: <c>attachments.create</c> stores the metadata and returns an upload URL of ours; the bytes
/// arrive there and land in <see cref="IAttachmentContents"/> (PostgreSQL: shared by every replica, kept across
/// redeploys). Upload and preview URLs carry a random access key (the ChatKit iframe cannot add an Authorization
/// header to an &lt;img&gt;), so they work like presigned URLs.
/// </summary>
public sealed partial class AttachmentService(AttachmentStore store, IAttachmentContents contents, IOptions<AttachmentOptions> options,
    TimeProvider clock)
{
    AttachmentOptions Settings => options.Value;

    public long MaxUploadBytes => Settings.MaxBytes;

    public string BaseUrlFor(HttpRequest request) =>
        Settings.PublicBaseUrl?.ToString().TrimEnd('/') ?? $"{request.Scheme}://{request.Host}{request.PathBase}";

    public async Task<Attachment> CreateAsync(string owner, string? fileName, long size, string? mimeType, string baseUrl, CancellationToken ct)
    {
        var name = Path.GetFileName(fileName?.Trim() ?? "");
        if (name.Length == 0) throw ApiError.BadRequest("invalid_attachment", "The attachment needs a name.");
        if (name.Length > 255) throw ApiError.BadRequest("invalid_attachment", "The attachment name must be at most 255 characters.");
        if (size <= 0) throw ApiError.BadRequest("invalid_attachment", "The attachment size must be positive.");
        if (size > Settings.MaxBytes)
            throw ApiError.BadRequest("attachment_too_large", $"Attachments may be at most {Settings.MaxBytes / 1024 / 1024.0:0.#} MB.");
        var mime = NormalizeMime(mimeType);
        if (!Settings.AllowedMimeTypes.Contains(mime, StringComparer.OrdinalIgnoreCase))
            throw ApiError.BadRequest("unsupported_attachment_type", $"Files of type '{mime}' cannot be attached.");

        var record = new StoredAttachment
        {
            Id = Ids.Attachment(), OwnerId = owner, Name = name, MimeType = mime, Size = size, AccessKey = Ids.Secret(), CreatedAt = clock.UtcNowMicros(),
        };
        if (!await store.CreateAttachmentAsync(record, Settings.QuotaBytes, ct)) throw OverQuota();
        return ToWire(record, baseUrl, withUpload: true);
    }

    /// <summary>Receives the bytes of a created attachment (once, within the upload window, within the size limit).</summary>
    public async Task<Attachment> UploadAsync(string attachmentId, string? key, Stream content, string baseUrl, CancellationToken ct)
    {
        var record = await FindAsync(attachmentId, key, ct);
        if (record.Uploaded) throw ApiError.Conflict("already_uploaded", "The attachment has been uploaded already.");
        if (clock.GetUtcNow().UtcDateTime - record.CreatedAt > Settings.UploadWindow) throw ApiError.NotFound("The upload URL");

        var bytes = await ReadAtMostAsync(content, Settings.MaxBytes, ct);
        if (bytes.Length == 0) throw ApiError.BadRequest("empty_upload", "The upload had no bytes.");
        if (!await contents.SaveAsync(record.Id, bytes, ct))
            throw ApiError.Conflict("already_uploaded", "The attachment has been uploaded already or was deleted.");
        var result = await store.MarkUploadedAsync(record.Id, bytes.Length, Settings.QuotaBytes, ct);
        if (result != UploadResult.Uploaded)
        {
            await contents.DeleteAsync([record.Id], CancellationToken.None);
            throw result == UploadResult.OverQuota
                ? OverQuota()
                : ApiError.Conflict("already_uploaded", "The attachment has been uploaded already or was deleted.");
        }
        return ToWire(record with { Uploaded = true, Size = bytes.Length }, baseUrl, withUpload: false);
    }

    /// <summary>An uploaded attachment and its bytes, for its preview URL.</summary>
    public async Task<(StoredAttachment Record, byte[] Content)> OpenAsync(string attachmentId, string? key, CancellationToken ct)
    {
        var record = await FindAsync(attachmentId, key, ct);
        var bytes = record.Uploaded ? await contents.ReadAsync(record.Id, ct) : null;
        return bytes is null ? throw ApiError.NotFound("The attachment") : (record, bytes);
    }

    /// <summary>attachments.delete: the owner's attachment, metadata and bytes.</summary>
    public async Task DeleteAsync(string owner, string attachmentId, CancellationToken ct)
    {
        if (!await store.DeleteAttachmentAsync(owner, attachmentId, ct)) throw ApiError.NotFound("The attachment");
        await contents.DeleteAsync([attachmentId], CancellationToken.None);
    }

    /// <summary>A deleted thread's attachments, metadata and bytes.</summary>
    public async Task DeleteThreadAttachmentsAsync(string owner, string threadId, CancellationToken ct)
    {
        var ids = await store.DeleteThreadAttachmentsAsync(owner, threadId, ct);
        await contents.DeleteAsync(ids, CancellationToken.None);
    }

    /// <summary>Deletes attachments that were created more than the upload window ago and never sent; returns how many.</summary>
    public async Task<int> DeleteUnsentAsync(CancellationToken ct)
    {
        var ids = await store.DeleteUnsentAttachmentsAsync(clock.GetUtcNow().UtcDateTime - Settings.UploadWindow, ct);
        await contents.DeleteAsync(ids, ct);
        return ids.Count;
    }

    /// <summary>The upload, in memory: it goes to the database in one statement, and it is at most MaxBytes.</summary>
    static async Task<byte[]> ReadAtMostAsync(Stream content, long maxBytes, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await content.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes)
                throw new ApiError(StatusCodes.Status413PayloadTooLarge, "attachment_too_large", $"Attachments may be at most {maxBytes} bytes.");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    ApiError OverQuota() => new(StatusCodes.Status413PayloadTooLarge, "storage_quota_exceeded",
        $"Your attachments may take at most {Settings.QuotaBytes / 1024 / 1024.0:0.#} MB in all; delete some threads or attachments first.");

    /// <summary>
    /// The attachments a user message references, in order, stamped with the thread: each must be the owner's,
    /// uploaded, and not already part of another thread; at most <see cref="AttachmentOptions.MaxPerMessage"/>.
    /// </summary>
    public async Task<List<Attachment>> ResolveForMessageAsync(string owner, IReadOnlyList<string> ids, string threadId, string baseUrl,
        CancellationToken ct)
    {
        if (ids.Count == 0) return [];
        var distinct = ids.Distinct(StringComparer.Ordinal).ToList();
        if (distinct.Count > Settings.MaxPerMessage)
            throw ApiError.BadRequest("too_many_attachments", $"A message may have at most {Settings.MaxPerMessage} attachments.");
        var found = (await store.GetAttachmentsAsync(owner, distinct, ct)).ToDictionary(a => a.Id, StringComparer.Ordinal);
        var result = new List<Attachment>(distinct.Count);
        foreach (var id in distinct)
        {
            if (!found.TryGetValue(id, out var record)) throw ApiError.NotFound($"Attachment {id}");
            if (!record.Uploaded) throw ApiError.BadRequest("attachment_not_uploaded", $"Attachment {id} has not been uploaded yet.");
            if (record.ThreadId is not null && record.ThreadId != threadId)
                throw ApiError.BadRequest("attachment_in_use", $"Attachment {id} belongs to another thread.");
            result.Add(ToWire(record with { ThreadId = threadId }, baseUrl, withUpload: false));
        }
        return result;
    }

    public Attachment ToWire(StoredAttachment record, string baseUrl, bool withUpload)
    {
        var isImage = record.MimeType.StartsWith("image/", StringComparison.OrdinalIgnoreCase);
        var urlBase = $"{baseUrl}/api/chatkit/attachments/{record.Id}";
        return new Attachment
        {
            Type = isImage ? "image" : "file",
            Id = record.Id,
            Name = record.Name,
            MimeType = record.MimeType,
            ThreadId = record.ThreadId,
            UploadDescriptor = withUpload ? new UploadDescriptor($"{urlBase}/upload?key={record.AccessKey}", "POST", []) : null,
            PreviewUrl = isImage ? $"{urlBase}/content?key={record.AccessKey}" : null,
        };
    }

    async Task<StoredAttachment> FindAsync(string attachmentId, string? key, CancellationToken ct)
    {
        if (!IdPattern().IsMatch(attachmentId) || string.IsNullOrEmpty(key)) throw ApiError.NotFound("The attachment");
        var record = await store.GetAttachmentAsync(attachmentId, ct);
        if (record is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(record.AccessKey), Encoding.UTF8.GetBytes(key)))
            throw ApiError.NotFound("The attachment");
        return record;
    }

    static string NormalizeMime(string? mime)
    {
        var value = (mime ?? "").Split(';')[0].Trim().ToLowerInvariant();
        return value.Length == 0 ? "application/octet-stream" : value;
    }

    [GeneratedRegex("^atc_[0-9a-f]{24}$")]
    private static partial Regex IdPattern();
}
