using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ChatKit.ApiService.ChatKit;

/// <summary>
/// A JSON value kept as UTF-8 bytes and written exactly as given: stored items, user dictionaries
/// (<c>arguments</c>, <c>data</c>, <c>payload</c>), widget trees. No naming policy ever touches its keys.
/// </summary>
[JsonConverter(typeof(RawJsonConverter))]
public readonly struct RawJson(ReadOnlyMemory<byte> utf8)
{
    public static RawJson EmptyObject { get; } = new("{}"u8.ToArray());

    public ReadOnlyMemory<byte> Utf8 { get; } = utf8;

    public bool IsEmpty => Utf8.IsEmpty;

    public static RawJson FromString(string json) => new(Encoding.UTF8.GetBytes(json));

    public JsonDocument Parse() => JsonDocument.Parse(Utf8);

    public override string ToString() => Encoding.UTF8.GetString(Utf8.Span);
}

sealed class RawJsonConverter : JsonConverter<RawJson>
{
    public override bool HandleNull => true;

    public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return RawJson.EmptyObject;
        // Re-written compactly (a pretty-printed payload would otherwise put newlines into an SSE line); keys and values as given.
        using var document = JsonDocument.ParseValue(ref reader);
        return new RawJson(JsonSerializer.SerializeToUtf8Bytes(document.RootElement, ChatKitJson.Context.JsonElement));
    }

    public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options)
    {
        // default(RawJson) is the empty object; everything else was validated when it was parsed or produced.
        writer.WriteRawValue(value.IsEmpty ? "{}"u8 : value.Utf8.Span, skipInputValidation: true);
    }
}
