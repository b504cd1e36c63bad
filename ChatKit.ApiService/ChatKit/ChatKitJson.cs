using System.Text.Encodings.Web;
using System.Text.Json;

namespace ChatKit.ApiService.ChatKit;

/// <summary>The ChatKit serializer: <see cref="ChatKitJsonContext"/> with non-ASCII text written as is (“quotes”, emoji).</summary>
public static class ChatKitJson
{
    public static ChatKitJsonContext Context { get; } = new(new JsonSerializerOptions(ChatKitJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static byte[] Serialize(ChatKitItem item) => JsonSerializer.SerializeToUtf8Bytes(item, Context.ChatKitItem);

    public static RawJson ToRaw<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info) =>
        new(JsonSerializer.SerializeToUtf8Bytes(value, info));
}
