using System.Text.Json;

namespace ChatKit.Tests.Fast.Infrastructure;

/// <summary>Calls of the ChatKit endpoint (POST /api/chatkit) and its SSE framing, as ChatKit's client makes them.</summary>
public static class ChatKitCalls
{
    public static Task<HttpResponseMessage> ChatKitAsync(this HttpClient http, string type, object parameters) =>
        http.PostAsJsonAsync("/api/chatkit", new Dictionary<string, object> { ["type"] = type, ["params"] = parameters });

    /// <summary>A JSON operation that must succeed; its body.</summary>
    public static async Task<JsonElement> ChatKitJsonAsync(this HttpClient http, string type, object parameters)
    {
        using var response = await http.ChatKitAsync(type, parameters);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{type}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>A streaming operation that must answer 200 with server-sent events; the events in order.</summary>
    public static async Task<List<JsonElement>> ChatKitStreamAsync(this HttpClient http, string type, object parameters)
    {
        using var response = await http.ChatKitAsync(type, parameters);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{type}: {(int)response.StatusCode} {body}");
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith("\n\n", body);
        var events = new List<JsonElement>();
        foreach (var frame in body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.StartsWith("data: ", frame);
            events.Add(JsonDocument.Parse(frame["data: ".Length..]).RootElement.Clone());
        }
        return events;
    }

    public static object Input(string text) => new Dictionary<string, object>
    {
        ["content"] = new object[] { new Dictionary<string, object> { ["type"] = "input_text", ["text"] = text } },
        ["attachments"] = Array.Empty<string>(),
        ["inference_options"] = new Dictionary<string, object>(),
    };

    public static string Type(this JsonElement e) => e.GetProperty("type").GetString()!;

    public static string ThreadId(this List<JsonElement> events) =>
        Assert.Single(events, e => e.Type() == "thread.created").GetProperty("thread").GetProperty("id").GetString()!;

    public static IReadOnlyList<string> Ids(this JsonElement page) =>
        [.. page.GetProperty("data").EnumerateArray().Select(i => i.GetProperty("id").GetString()!)];
}
