using System.ComponentModel.DataAnnotations;

namespace ChatKit.ApiService.Attachments;

/// <summary>Attachment storage and limits (configuration section <c>ChatKit:Attachments</c>).</summary>
public sealed class AttachmentOptions
{
    public const string Section = "ChatKit:Attachments";

    /// <summary>Largest attachment in bytes.</summary>
    [Range(1, 1L << 30)]
    public long MaxBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>What one user's attachments may take in all (sent or not), in bytes; more is refused with 413.</summary>
    [Range(1, long.MaxValue)]
    public long QuotaBytes { get; set; } = 100 * 1024 * 1024;

    [Range(1, 100)]
    public int MaxPerMessage { get; set; } = 10;

    [MinLength(1)]
    public string[] AllowedMimeTypes { get; set; } =
    [
        "image/png", "image/jpeg", "image/gif", "image/webp",
        "application/pdf", "text/plain", "text/markdown", "text/csv", "application/json",
    ];

    /// <summary>
    /// How long after attachments.create the upload URL accepts the bytes. An attachment that is not part of a
    /// message by then is deleted, bytes and all.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan UploadWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often each replica deletes attachments that were never sent.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The API's public origin for upload and preview URLs (e.g. behind a proxy); when unset, the request's own.
    /// The ChatKit UI runs in an iframe on another origin, so these URLs are always absolute.
    /// </summary>
    public Uri? PublicBaseUrl { get; set; }
}
