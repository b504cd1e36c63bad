namespace ChatKit.ApiService.ChatKit.Protocol;

/// <summary>An attachment as the client sees it; <c>preview_url</c> only for images.</summary>
public sealed record Attachment
{
    public required string Type { get; init; }
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string MimeType { get; init; }
    public UploadDescriptor? UploadDescriptor { get; init; }
    public string? ThreadId { get; init; }
    public string? PreviewUrl { get; init; }
}

public sealed record UploadDescriptor(string Url, string Method, Dictionary<string, string> Headers);
