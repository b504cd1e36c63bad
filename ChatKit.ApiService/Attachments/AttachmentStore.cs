using Microsoft.EntityFrameworkCore;
using ChatKit.ApiService.Conversations;
using static ChatKit.ApiService.Conversations.Sql;

namespace ChatKit.ApiService.Attachments;

public enum UploadResult { Uploaded, GoneOrUploaded, OverQuota }

/// <summary>
/// Attachment metadata (the bytes are in <see cref="IAttachmentContents"/>), through EF Core with the owner in every
/// <c>Where</c> (reads by id alone are for the capability URLs, whose callers check the access key). A turn stamps
/// its message's attachments with the thread in its own batch (<see cref="TurnStore"/>). A context per call, from the pool:
/// nothing is leased for a request that streams for seconds.
/// </summary>
public sealed class AttachmentStore(IDbContextFactory<ConversationsDbContext> contexts)
{
    /// <summary>
    /// Creates an attachment's metadata unless the owner's attachments would then take more than
    /// <paramref name="quotaBytes"/> (declared sizes of pending uploads count); false when over the quota. The row goes
    /// in first and comes out again when the owner's total is then over: two creates racing can both be refused, never
    /// both let through.
    /// </summary>
    public async Task<bool> CreateAttachmentAsync(StoredAttachment attachment, long quotaBytes, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.Set<StoredAttachment>().Add(attachment with { Name = PlainText(attachment.Name)!, MimeType = PlainText(attachment.MimeType)! });
        await db.SaveChangesAsync(ct);
        var removed = await db.Set<StoredAttachment>()
            .Where(a => a.Id == attachment.Id && a.OwnerId == attachment.OwnerId
                        && db.Set<StoredAttachment>().Where(o => o.OwnerId == attachment.OwnerId).Sum(o => o.Size) > quotaBytes)
            .ExecuteDeleteAsync(ct);
        return removed == 0;
    }

    /// <summary>An attachment by id alone; callers check the owner or the access key.</summary>
    public async Task<StoredAttachment?> GetAttachmentAsync(string attachmentId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Set<StoredAttachment>().AsNoTracking().FirstOrDefaultAsync(a => a.Id == attachmentId, ct);
    }

    public async Task<List<StoredAttachment>> GetAttachmentsAsync(string owner, IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Set<StoredAttachment>().AsNoTracking().Where(a => a.OwnerId == owner && ids.Contains(a.Id)).ToListAsync(ct);
    }

    /// <summary>
    /// Marks the bytes as arrived with their real size, unless the attachment is gone, was uploaded already, or the
    /// owner's attachments would then take more than <paramref name="quotaBytes"/> (one statement).
    /// </summary>
    public async Task<UploadResult> MarkUploadedAsync(string attachmentId, long size, long quotaBytes, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var updated = await db.Set<StoredAttachment>()
            .Where(a => a.Id == attachmentId && !a.Uploaded
                        && db.Set<StoredAttachment>().Where(o => o.OwnerId == a.OwnerId && o.Id != a.Id).Sum(o => o.Size) + size <= quotaBytes)
            .ExecuteUpdateAsync(set => set.SetProperty(a => a.Uploaded, true).SetProperty(a => a.Size, size), ct);
        if (updated == 1) return UploadResult.Uploaded;
        var uploaded = await db.Set<StoredAttachment>().Where(a => a.Id == attachmentId).Select(a => (bool?)a.Uploaded).FirstOrDefaultAsync(ct);
        return uploaded is false ? UploadResult.OverQuota : UploadResult.GoneOrUploaded;
    }

    /// <summary>Deletes attachments created before <paramref name="createdBefore"/> that never became part of a message.</summary>
    public async Task<List<string>> DeleteUnsentAttachmentsAsync(DateTime createdBefore, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var ids = await db.Set<StoredAttachment>().Where(a => a.ThreadId == null && a.CreatedAt < createdBefore).Select(a => a.Id).ToListAsync(ct);
        if (ids.Count == 0) return ids;
        var deleted = await db.Set<StoredAttachment>().Where(a => ids.Contains(a.Id) && a.ThreadId == null).ExecuteDeleteAsync(ct);
        if (deleted == ids.Count) return ids;
        // Sent (or deleted) in between: only the ids really deleted here are returned, so their bytes are not dropped.
        var kept = await db.Set<StoredAttachment>().Where(a => ids.Contains(a.Id)).Select(a => a.Id).ToListAsync(ct);
        return ids.Except(kept, StringComparer.Ordinal).ToList();
    }

    /// <summary>Deletes the attachment rows of a deleted thread; returns their ids (for their bytes).</summary>
    public async Task<List<string>> DeleteThreadAttachmentsAsync(string owner, string threadId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var attachments = db.Set<StoredAttachment>().Where(a => a.ThreadId == threadId && a.OwnerId == owner);
        var ids = await attachments.Select(a => a.Id).ToListAsync(ct);
        if (ids.Count > 0) await attachments.Where(a => ids.Contains(a.Id)).ExecuteDeleteAsync(ct);
        return ids;
    }

    /// <summary>Deletes the owner's attachment; false when there is none.</summary>
    public async Task<bool> DeleteAttachmentAsync(string owner, string attachmentId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Set<StoredAttachment>().Where(a => a.OwnerId == owner && a.Id == attachmentId).ExecuteDeleteAsync(ct) == 1;
    }
}
