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

    /// <summary>
    /// For parsing requests: a JSON null where the contract has a value (<c>"input": null</c>,
    /// <c>"attachments": null</c>) fails parsing and becomes a 400, like a wrong type.
    /// </summary>
    public static ChatKitJsonContext Requests { get; } = new(new JsonSerializerOptions(Context.Options)
    {
        RespectNullableAnnotations = true,
    });

    public static byte[] Serialize(ChatKitItem item) => JsonSerializer.SerializeToUtf8Bytes(item, Context.ChatKitItem);

    public static RawJson ToRaw<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info) =>
        new(JsonSerializer.SerializeToUtf8Bytes(value, info));
}
