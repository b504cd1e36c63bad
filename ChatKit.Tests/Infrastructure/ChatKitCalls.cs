using System.Text;
using System.Text.Json;

namespace ChatKit.Tests.Infrastructure;

/// <summary>Test-side helpers for the ChatKit protocol endpoint and its SSE framing.</summary>
public static class ChatKitCalls
{
    static readonly JsonSerializerOptions AsWritten = new();

    /// <summary>A unique user per test: no test sees another's threads.</summary>
    public static string NewUser(string name) => $"{name}-{Guid.NewGuid():N}"[..(name.Length + 13)];

    public static Task<HttpResponseMessage> ChatKitAsync(this HttpClient http, string type, object parameters, CancellationToken ct = default) =>
        http.PostAsync("/api/chatkit", JsonContent.Create(new Dictionary<string, object> { ["type"] = type, ["params"] = parameters }, options: AsWritten), ct);

    public static Task<HttpResponseMessage> ChatKitRawAsync(this HttpClient http, string body) =>
        http.PostAsync("/api/chatkit", new StringContent(body, Encoding.UTF8, "application/json"));

    /// <summary>A JSON op that must succeed; returns its body.</summary>
    public static async Task<JsonElement> ChatKitJsonAsync(this HttpClient http, string type, object parameters)
    {
        using var response = await http.ChatKitAsync(type, parameters);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{type}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>A streaming op that must answer 200 with an event stream; returns the events in order.</summary>
    public static async Task<List<JsonElement>> ChatKitStreamAsync(this HttpClient http, string type, object parameters)
    {
        using var response = await http.ChatKitAsync(type, parameters);
        if (!response.IsSuccessStatusCode) Assert.Fail($"{type}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await ReadEventsAsync(response);
    }

    /// <summary>Parses an SSE body, asserting ChatKit's framing: only <c>data: &lt;json&gt;</c> lines, each followed by a blank line.</summary>
    public static async Task<List<JsonElement>> ReadEventsAsync(HttpResponseMessage response)
    {
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.EndsWith("\n\n", body);
        var events = new List<JsonElement>();
        foreach (var frame in body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.StartsWith("data: ", frame);
            Assert.DoesNotContain('\n', frame);
            events.Add(JsonDocument.Parse(frame["data: ".Length..]).RootElement.Clone());
        }
        return events;
    }

    /// <summary>Reads events from a live stream one at a time (for cancellation tests).</summary>
    public static async IAsyncEnumerable<JsonElement> ReadEventsLiveAsync(Stream stream)
    {
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Length == 0) continue;
            Assert.StartsWith("data: ", line);
            yield return JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone();
        }
    }

    public static object Input(string text, params string[] attachments) => new Dictionary<string, object>
    {
        ["content"] = new object[] { new Dictionary<string, object> { ["type"] = "input_text", ["text"] = text } },
        ["attachments"] = attachments,
        ["inference_options"] = new Dictionary<string, object>(),
    };

    public static string Type(this JsonElement e) => e.GetProperty("type").GetString()!;

    /// <summary>Event types, with the update type for thread.item.updated ("thread.item.updated:…text_delta").</summary>
    public static List<string> Sequence(IEnumerable<JsonElement> events) => events.Select(e => e.Type() == "thread.item.updated"
        ? "thread.item.updated:" + e.GetProperty("update").Type().Replace("assistant_message.content_part.", "")
        : e.Type()).ToList();

    /// <summary>The sequence with runs of text deltas collapsed into one entry, for order assertions.</summary>
    public static List<string> Collapsed(IEnumerable<JsonElement> events)
    {
        var result = new List<string>();
        foreach (var step in Sequence(events))
        {
            if (step == "thread.item.updated:text_delta" && result.Count > 0 && result[^1] == step) continue;
            result.Add(step);
        }
        return result;
    }

    public static JsonElement Single(this List<JsonElement> events, string type) => Assert.Single(events, e => e.Type() == type);

    /// <summary>The ids of a page of items or threads (<c>{"data": [...]}</c>), in order.</summary>
    public static IReadOnlyList<string> Ids(this JsonElement page) =>
        [.. page.GetProperty("data").EnumerateArray().Select(i => i.GetProperty("id").GetString()!)];

    public static string ThreadId(this List<JsonElement> events) =>
        events.Single("thread.created").GetProperty("thread").GetProperty("id").GetString()!;

    /// <summary>The final text of the last assistant message in the events.</summary>
    public static string AssistantText(this List<JsonElement> events) => events
        .Last(e => e.Type() == "thread.item.done" && e.GetProperty("item").Type() == "assistant_message")
        .GetProperty("item").GetProperty("content")[0].GetProperty("text").GetString()!;

    public static async Task<JsonElement> ProblemAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
