using System.Text.Json.Serialization;
using System.Text.Json;
using System.Text;

namespace ChatKit.Agent.Contracts;

/// <summary>
/// A JSON value kept as UTF-8 bytes and written exactly as given: stored items, user dictionaries
/// (<c>arguments</c>, <c>data</c>, <c>payload</c>), widget trees, a tool call's arguments and result in the turn
/// contract. No naming policy ever touches its keys.
/// </summary>
[JsonConverter(typeof(RawJsonConverter))]
public readonly struct RawJson(ReadOnlyMemory<byte> utf8)
{
    public static RawJson EmptyObject { get; } = new("{}"u8.ToArray());

    public ReadOnlyMemory<byte> Utf8 { get; } = utf8;

    public bool IsEmpty => Utf8.IsEmpty;

    public static RawJson FromString(string json) => new(Encoding.UTF8.GetBytes(json));

    /// <summary>A JSON value re-written compactly (a pretty-printed payload would otherwise put newlines into an SSE line), non-ASCII as is.</summary>
    public static RawJson From(JsonElement element) => From(element, CompactWriter);

    /// <summary>A JSON value as a writer with these options writes it (the agent's NDJSON: default escaping).</summary>
    public static RawJson From(JsonElement element, JsonWriterOptions options)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, options)) element.WriteTo(writer);
        return new RawJson(buffer.WrittenMemory.ToArray());
    }

    static readonly JsonWriterOptions CompactWriter = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public JsonDocument Parse() => JsonDocument.Parse(Utf8);

    public override string ToString() => Encoding.UTF8.GetString(Utf8.Span);
}

public sealed class RawJsonConverter : JsonConverter<RawJson>
{
    public override bool HandleNull => true;

    public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return RawJson.EmptyObject;
        using var document = JsonDocument.ParseValue(ref reader);
        return RawJson.From(document.RootElement);
    }

    public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options)
    {
        // default(RawJson) is the empty object; everything else was validated when it was parsed or produced.
        writer.WriteRawValue(value.IsEmpty ? "{}"u8 : value.Utf8.Span, skipInputValidation: true);
    }
}
