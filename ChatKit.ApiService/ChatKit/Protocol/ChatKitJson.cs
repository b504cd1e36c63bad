using System.Collections.Frozen;
using System.Text.Encodings.Web;
using System.Text.Json.Serialization.Metadata;
using System.Text.Json.Serialization;
using System.Text.Json;
using ChatKit.Agent.Contracts;

namespace ChatKit.ApiService.ChatKit.Protocol;

/// <summary>
/// The ChatKit wire format (requests, items, stream events, threads, the answers of the non-streaming requests):
/// snake_case properties, null fields omitted, defaults written, dictionary keys as given, <c>type</c> accepted
/// anywhere in an object. Items are stored in this form too (<c>thread_items.data</c>).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowOutOfOrderMetadataProperties = true,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(ChatKitEvent))]
[JsonSerializable(typeof(ChatKitItem))]
[JsonSerializable(typeof(ChatKitThread))]
[JsonSerializable(typeof(ItemsPage))]
[JsonSerializable(typeof(ThreadsPage))]
[JsonSerializable(typeof(Attachment))]
[JsonSerializable(typeof(UpdatedItemResponse))]
[JsonSerializable(typeof(ToolRecord))]
[JsonSerializable(typeof(ChangedTaskResult))]
[JsonSerializable(typeof(ThreadsCreateParams))]
[JsonSerializable(typeof(ThreadsAddUserMessageParams))]
[JsonSerializable(typeof(ThreadsAddClientToolOutputParams))]
[JsonSerializable(typeof(ThreadsAddStructuredInputParams))]
[JsonSerializable(typeof(ThreadItemRef))]
[JsonSerializable(typeof(ThreadsCustomActionParams))]
[JsonSerializable(typeof(ThreadRef))]
[JsonSerializable(typeof(ThreadsListParams))]
[JsonSerializable(typeof(ItemsListParams))]
[JsonSerializable(typeof(ThreadsUpdateParams))]
[JsonSerializable(typeof(ItemsFeedbackParams))]
[JsonSerializable(typeof(AttachmentsCreateParams))]
[JsonSerializable(typeof(AttachmentsDeleteParams))]
[JsonSerializable(typeof(InputTranscribeParams))]
public sealed partial class ChatKitJsonContext : JsonSerializerContext;

/// <summary>The ChatKit serializer: <see cref="ChatKitJsonContext"/> with non-ASCII text written as is (“quotes”, emoji).</summary>
public static class ChatKitJson
{
    public static ChatKitJsonContext Context { get; } = new(new JsonSerializerOptions(ChatKitJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>
    /// For parsing requests: a JSON null where the contract has a value (<c>"input": null</c>,
    /// <c>"attachments": null</c>) fails parsing and becomes a 400, like a wrong type.
    /// </summary>
    public static ChatKitJsonContext Requests { get; } = new(new JsonSerializerOptions(Context.Options)
    {
        RespectNullableAnnotations = true,
    });

    /// <summary>Each item kind's <c>type</c>, read from its <see cref="JsonDerivedTypeAttribute"/> (the one list of them).</summary>
    static readonly FrozenDictionary<Type, string> ItemTypes = Context.ChatKitItem.PolymorphismOptions!.DerivedTypes
        .ToFrozenDictionary(derived => derived.DerivedType, derived => (string)derived.TypeDiscriminator!);

    /// <summary>The <c>type</c> an item is written with.</summary>
    public static string TypeOf(ChatKitItem item) => ItemTypes[item.GetType()];

    public static byte[] Serialize(ChatKitItem item) => JsonSerializer.SerializeToUtf8Bytes(item, Context.ChatKitItem);

    public static RawJson ToRaw<T>(T value, JsonTypeInfo<T> info) => new(JsonSerializer.SerializeToUtf8Bytes(value, info));
}
