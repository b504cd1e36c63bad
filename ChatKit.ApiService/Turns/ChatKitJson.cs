using System.Text.Encodings.Web;
using System.Text.Json.Serialization.Metadata;
using System.Text.Json.Serialization;
using System.Text.Json;
using ChatKit.ApiService.Agent;
using ChatKit.ApiService.Infrastructure;

namespace ChatKit.ApiService.Turns;

/// <summary>
/// The ChatKit wire format of what a turn produces (items, stream events, threads): snake_case properties, null
/// fields omitted, defaults written, dictionary keys as given, <c>type</c> accepted anywhere in an object.
/// Items are stored in this form too (<c>thread_items.data</c>).
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
[JsonSerializable(typeof(ToolRecord))]
[JsonSerializable(typeof(CompletedTaskResult))]
public sealed partial class ChatKitJsonContext : JsonSerializerContext;

/// <summary>The ChatKit serializer: <see cref="ChatKitJsonContext"/> with non-ASCII text written as is (“quotes”, emoji).</summary>
public static class ChatKitJson
{
    public static ChatKitJsonContext Context { get; } = new(new JsonSerializerOptions(ChatKitJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static byte[] Serialize(ChatKitItem item) => JsonSerializer.SerializeToUtf8Bytes(item, Context.ChatKitItem);

    public static RawJson ToRaw<T>(T value, JsonTypeInfo<T> info) => new(JsonSerializer.SerializeToUtf8Bytes(value, info));
}
