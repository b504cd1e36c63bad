using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ChatKit.ApiService.Conversations;

/// <summary>A file attached to a message: metadata here, bytes in the attachment storage directory.</summary>
public sealed class StoredAttachment
{
    public required string Id { get; set; }
    public required string OwnerId { get; set; }
    public string? ThreadId { get; set; }
    public required string Name { get; set; }
    public required string MimeType { get; set; }
    public long Size { get; set; }
    /// <summary>
    /// Random secret in the upload and preview URLs: the ChatKit iframe loads previews with a plain &lt;img&gt;
    /// (no Authorization header), so the URL itself is the capability, like a presigned URL.
    /// </summary>
    public required string AccessKey { get; set; }
    /// <summary>False until the bytes have arrived (two-phase upload).</summary>
    public bool Uploaded { get; set; }
    public DateTime CreatedAt { get; set; }
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
    }
}
