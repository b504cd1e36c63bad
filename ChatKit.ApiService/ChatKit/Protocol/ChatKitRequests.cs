using System.Text.Json.Serialization;
using System.Text.Json;

namespace ChatKit.ApiService.ChatKit.Protocol;

// Params records: unknown fields are ignored; a missing required field or a wrong JSON type fails parsing (400).

public sealed record ThreadsCreateParams
{
    [JsonRequired] public UserMessageInput Input { get; init; } = new();
}

public sealed record ThreadsAddUserMessageParams
{
    [JsonRequired] public string ThreadId { get; init; } = "";
    [JsonRequired] public UserMessageInput Input { get; init; } = new();
}

public sealed record ThreadsAddClientToolOutputParams
{
    [JsonRequired] public string ThreadId { get; init; } = "";
    [JsonRequired] public JsonElement Result { get; init; }
}

public sealed record ThreadsAddStructuredInputParams
{
    [JsonRequired] public string ThreadId { get; init; } = "";
    [JsonRequired] public string ItemId { get; init; } = "";
    [JsonRequired] public StructuredInputSubmission Input { get; init; } = new();
}

public sealed record ThreadItemRef
{
    [JsonRequired] public string ThreadId { get; init; } = "";
    [JsonRequired] public string ItemId { get; init; } = "";
}

public sealed record ThreadsCustomActionParams
{
    [JsonRequired] public string ThreadId { get; init; } = "";
    public string? ItemId { get; init; }
    [JsonRequired] public WidgetAction Action { get; init; } = new();
}

public sealed record ThreadRef
{
    [JsonRequired] public string ThreadId { get; init; } = "";
}

public sealed record ThreadsListParams
{
    public int? Limit { get; init; }
    public string? Order { get; init; }
    public string? After { get; init; }
}

public sealed record ItemsListParams
{
    [JsonRequired] public string ThreadId { get; init; } = "";
    public int? Limit { get; init; }
    public string? Order { get; init; }
    public string? After { get; init; }
}

public sealed record ThreadsUpdateParams
{
    [JsonRequired] public string ThreadId { get; init; } = "";
    [JsonRequired] public string Title { get; init; } = "";
}

public sealed record ItemsFeedbackParams
{
    [JsonRequired] public string ThreadId { get; init; } = "";
    [JsonRequired] public List<string> ItemIds { get; init; } = [];
    [JsonRequired] public string Kind { get; init; } = "";
}

public sealed record AttachmentsCreateParams
{
    [JsonRequired] public string Name { get; init; } = "";
    [JsonRequired] public long Size { get; init; }
    [JsonRequired] public string MimeType { get; init; } = "";
}

public sealed record AttachmentsDeleteParams
{
    [JsonRequired] public string AttachmentId { get; init; } = "";
}

public sealed record InputTranscribeParams
{
    [JsonRequired] public string AudioBase64 { get; init; } = "";
    [JsonRequired] public string MimeType { get; init; } = "";
}
