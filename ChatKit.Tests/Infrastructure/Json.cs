using System.Text.Json;

namespace ChatKit.Tests.Infrastructure;

public static class Json
{
    /// <summary>ChatKit omits null fields (a7): no property anywhere in the value may be null.</summary>
    public static void AssertNoNulls(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Assert.True(property.Value.ValueKind != JsonValueKind.Null, $"\"{property.Name}\" is null in {element.GetRawText()}");
                    AssertNoNulls(property.Value);
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray()) AssertNoNulls(item);
                break;
        }
    }

    /// <summary>A UTC ISO-8601 timestamp with a Z.</summary>
    public static void AssertUtc(JsonElement value)
    {
        var text = value.GetString()!;
        Assert.EndsWith("Z", text);
        Assert.True(DateTime.TryParse(text, null, System.Globalization.DateTimeStyles.RoundtripKind, out var parsed), text);
        Assert.Equal(DateTimeKind.Utc, parsed.Kind);
    }

    /// <summary>The value re-written without whitespace (for comparing with an expected literal).</summary>
    public static string Compact(JsonElement element) => JsonSerializer.Serialize(element,
        new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    /// <summary>The first object (depth first) whose "type" is <paramref name="type"/>; default when there is none.</summary>
    public static JsonElement Find(JsonElement element, string type)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            if (element.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == type) return element;
            foreach (var property in element.EnumerateObject())
            {
                if (Find(property.Value, type) is { ValueKind: not JsonValueKind.Undefined } found) return found;
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                if (Find(item, type) is { ValueKind: not JsonValueKind.Undefined } found) return found;
            }
        }
        return default;
    }
}
