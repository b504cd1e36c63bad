using System.Text.Json;
using System.Text.Json.Serialization;

namespace ChatKit.ApiService.ChatKit;

/// <summary>The request <c>type</c> values of chatkit-protocol.md a2.</summary>
public static class RequestTypes
{
    public const string ThreadsCreate = "threads.create";
    public const string ThreadsAddUserMessage = "threads.add_user_message";
    public const string ThreadsAddClientToolOutput = "threads.add_client_tool_output";
    public const string ThreadsAddStructuredInput = "threads.add_structured_input";
    public const string ThreadsRetryAfterItem = "threads.retry_after_item";
    public const string ThreadsCustomAction = "threads.custom_action";
    public const string ThreadsSyncCustomAction = "threads.sync_custom_action";
    public const string ThreadsGetById = "threads.get_by_id";
    public const string ThreadsList = "threads.list";
    public const string ItemsList = "items.list";
    public const string ThreadsUpdate = "threads.update";
    public const string ThreadsDelete = "threads.delete";
    public const string ItemsFeedback = "items.feedback";
    public const string AttachmentsCreate = "attachments.create";
    public const string AttachmentsDelete = "attachments.delete";
    public const string InputTranscribe = "input.transcribe";
}

// Params records: unknown fields are ignored; a missing required field or a wrong JSON type fails parsing (400).

public sealed record UserMessageInput
{
    [JsonRequired] public List<UserContent> Content { get; init; } = [];
    // The source generator sets a missing init property to null, past the initializer: coalesce to the default.
    public List<string> Attachments { get; init => field = value ?? []; } = [];
    public string? QuotedText { get; init; }
    public InferenceOptions InferenceOptions { get; init => field = value ?? new(); } = new();
}

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

public sealed record StructuredInputSubmission
{
    [JsonRequired] public string Status { get; init; } = "";
    public Dictionary<string, StructuredInputAnswer?>? Answers { get; init; }
}

public sealed record StructuredInputAnswer
{
    public List<string>? Values { get; init; }
    public bool Skipped { get; init; }
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

public sealed record WidgetAction
{
    [JsonRequired] public string Type { get; init; } = "";
    public RawJson Payload { get; init; } = RawJson.EmptyObject;
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
