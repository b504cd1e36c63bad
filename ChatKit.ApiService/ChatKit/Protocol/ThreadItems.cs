using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ChatKit.Agent.Contracts;
using ChatKit.ApiService.Conversations;

namespace ChatKit.ApiService.ChatKit.Protocol;

/// <summary>
/// A thread item as it goes over the wire and into <c>thread_items.data</c>. Only the kinds this server creates or
/// reads are modelled; other kinds round-trip as raw JSON.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(UserMessageItem), ItemTypes.UserMessage)]
[JsonDerivedType(typeof(AssistantMessageItem), ItemTypes.AssistantMessage)]
[JsonDerivedType(typeof(ClientToolCallItem), ItemTypes.ClientToolCall)]
[JsonDerivedType(typeof(WidgetItem), ItemTypes.Widget)]
[JsonDerivedType(typeof(StructuredInputItem), ItemTypes.StructuredInput)]
[JsonDerivedType(typeof(HiddenContextItem), ItemTypes.HiddenContext)]
[JsonDerivedType(typeof(SdkHiddenContextItem), ItemTypes.SdkHiddenContext)]
public abstract record ChatKitItem
{
    [JsonPropertyOrder(-3)] public required string Id { get; init; }
    [JsonPropertyOrder(-2)] public required string ThreadId { get; init; }
    [JsonPropertyOrder(-1)] public required DateTime CreatedAt { get; init; }
}

public sealed record UserMessageItem : ChatKitItem
{
    public List<UserContent> Content { get; init; } = [];
    public List<Attachment> Attachments { get; init; } = [];
    public string? QuotedText { get; init; }
    public InferenceOptions InferenceOptions { get; init; } = new();
}

public sealed record AssistantMessageItem : ChatKitItem
{
    public List<OutputText> Content { get; init; } = [];
}

public sealed record OutputText
{
    public string Type => "output_text";
    public string Text { get; init; } = "";
    public List<RawJson> Annotations { get; init; } = [];
}

public sealed record ClientToolCallItem : ChatKitItem
{
    public string Status { get; init; } = "pending";
    public string CallId { get; init; } = "";
    public string Name { get; init; } = "";
    public RawJson Arguments { get; init; } = RawJson.EmptyObject;
    public RawJson? Output { get; init; }
}

public sealed record WidgetItem : ChatKitItem
{
    public RawJson Widget { get; init; } = RawJson.EmptyObject;
    public string? CopyText { get; init; }
}

public sealed record StructuredInputItem : ChatKitItem
{
    public string Status { get; init; } = "pending";
    public List<JsonObject> Inputs { get; init; } = [];
}

/// <summary>Hidden context for the model; this server keeps its tool calls here (see <c>ToolRecord</c>).</summary>
public sealed record HiddenContextItem : ChatKitItem
{
    public RawJson Content { get; init; }
}

public sealed record SdkHiddenContextItem : ChatKitItem
{
    public string Content { get; init; } = "";
}

/// <summary>User message content parts: <c>input_text</c> and <c>input_tag</c> (an @-mention).</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(InputText), "input_text")]
[JsonDerivedType(typeof(InputTag), "input_tag")]
public abstract record UserContent;

public sealed record InputText : UserContent
{
    [JsonRequired] public string Text { get; init; } = "";
}

public sealed record InputTag : UserContent
{
    [JsonRequired] public string Id { get; init; } = "";
    [JsonRequired] public string Text { get; init; } = "";
    public RawJson Data { get; init; } = RawJson.EmptyObject;
    public string? Group { get; init; }
    public bool Interactive { get; init; }
}

public sealed record InferenceOptions
{
    public ToolChoice? ToolChoice { get; init; }
    public string? Model { get; init; }
}

public sealed record ToolChoice
{
    [JsonRequired] public string Id { get; init; } = "";
}

/// <summary>A thread on the wire. <c>metadata</c> is always <c>{}</c>: server-side metadata never reaches the client.</summary>
public sealed record ChatKitThread
{
    public required string Id { get; init; }
    public string? Title { get; init; }
    public required DateTime CreatedAt { get; init; }
    public required RawJson Status { get; init; }
    public RawJson Metadata => RawJson.EmptyObject;
    public ItemsPage Items { get; init; } = ItemsPage.Empty;
}

public sealed record ItemsPage(IReadOnlyList<RawJson> Data, bool HasMore, string? After = null)
{
    public static ItemsPage Empty { get; } = new([], false);
}
