using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore;

namespace ChatKit.ApiService.Attachments;

/// <summary>
/// A file attached to a message: the one type for a row of <c>attachments</c> (metadata here, bytes in the attachment
/// content store).
/// </summary>
public sealed record StoredAttachment
{
    public required string Id { get; init; }
    public required string OwnerId { get; init; }
    public string? ThreadId { get; init; }
    public required string Name { get; init; }
    public required string MimeType { get; init; }
    public long Size { get; init; }
    /// <summary>
    /// Random secret in the upload and preview URLs: the ChatKit iframe loads previews with a plain &lt;img&gt;
    /// (no Authorization header), so the URL itself is the capability, like a presigned URL.
    /// </summary>
    public required string AccessKey { get; init; }
    /// <summary>False until the bytes have arrived (two-phase upload).</summary>
    public bool Uploaded { get; init; }
    public DateTime CreatedAt { get; init; }
}

sealed class StoredAttachmentConfiguration : IEntityTypeConfiguration<StoredAttachment>
{
    public void Configure(EntityTypeBuilder<StoredAttachment> attachment)
    {
        attachment.ToTable("attachments");
        attachment.HasKey(a => a.Id);
        attachment.Property(a => a.Id).HasMaxLength(64);
        attachment.Property(a => a.OwnerId).HasMaxLength(128).IsRequired();
        attachment.Property(a => a.ThreadId).HasMaxLength(64);
        attachment.Property(a => a.Name).HasMaxLength(255).IsRequired();
        attachment.Property(a => a.MimeType).HasMaxLength(127).IsRequired();
        attachment.Property(a => a.AccessKey).HasMaxLength(64).IsRequired();
        attachment.HasIndex(a => new { a.OwnerId, a.ThreadId });
        // The cleanup of attachments never sent (UnsentAttachmentCleanup) finds them without a scan.
        attachment.HasIndex(a => a.CreatedAt).HasFilter("thread_id IS NULL");
    }
}

/// <summary>
/// An attachment's bytes, in PostgreSQL beside its metadata: every replica sees them and a redeploy keeps them
/// (<see cref="PostgresAttachmentContents"/>). Deleted with the attachment.
/// </summary>
public sealed class AttachmentContent
{
    public required string AttachmentId { get; init; }
    public required byte[] Data { get; init; }
}

sealed class AttachmentContentConfiguration : IEntityTypeConfiguration<AttachmentContent>
{
    public void Configure(EntityTypeBuilder<AttachmentContent> content)
    {
        content.ToTable("attachment_contents");
        content.HasKey(c => c.AttachmentId);
        content.Property(c => c.AttachmentId).HasMaxLength(64);
        // Named as the convention named it when the context had an Attachments set (the migrations use this name).
        content.HasOne<StoredAttachment>().WithOne().HasForeignKey<AttachmentContent>(c => c.AttachmentId).OnDelete(DeleteBehavior.Cascade)
            .HasConstraintName("fk_attachment_contents_attachments_attachment_id");
    }
}
