using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatKit.Tests.Agent;

/// <summary>
/// Talks to the agent's turn endpoint the way the API service does: sends the history and the new message, reads the
/// NDJSON events, and appends the turn (user text, tool calls with results, assistant text) to the history.
/// </summary>
public sealed class AgentConversation(HttpClient http)
{
    public JsonArray History { get; } = [];

    public async Task<TurnResult> SendAsync(string text, JsonArray? mentions = null, CancellationToken ct = default)
    {
        var body = new JsonObject
        {
            ["thread_id"] = "thr_tests",
            ["history"] = History.DeepClone(),
            ["input"] = new JsonObject { ["text"] = text, ["mentions"] = mentions?.DeepClone() },
        };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/internal/turns") { Content = JsonContent.Create(body) };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);

        var events = new List<JsonElement>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Length > 0) events.Add(JsonDocument.Parse(line).RootElement.Clone());
        }
        var result = new TurnResult(events);
        Remember(text, result);
        return result;
    }

    void Remember(string text, TurnResult result)
    {
        History.Add(new JsonObject { ["role"] = "user", ["content"] = text });
        foreach (var call in result.OfType("tool_call"))
        {
            var callId = call.GetProperty("call_id").GetString();
            var outcome = result.OfType("tool_result").FirstOrDefault(r => r.GetProperty("call_id").GetString() == callId);
            History.Add(new JsonObject
            {
                ["role"] = "tool",
                ["call_id"] = callId,
                ["name"] = call.GetProperty("name").GetString(),
                ["arguments"] = JsonNode.Parse(call.GetProperty("arguments").GetRawText()),
                ["result"] = outcome.ValueKind == JsonValueKind.Undefined ? null : JsonNode.Parse(outcome.GetProperty("result").GetRawText()),
            });
        }
        if (result.Done is { } done) History.Add(new JsonObject { ["role"] = "assistant", ["content"] = done.GetProperty("text").GetString() });
    }
}

public sealed record TurnResult(IReadOnlyList<JsonElement> Events)
{
    public IEnumerable<JsonElement> OfType(string type) => Events.Where(e => e.GetProperty("type").GetString() == type);

    public IReadOnlyList<string> ToolCalls => [.. OfType("tool_call").Select(e => e.GetProperty("name").GetString()!)];

    public JsonElement? Done => OfType("done").Cast<JsonElement?>().FirstOrDefault();

    public JsonElement? Error => OfType("error").Cast<JsonElement?>().FirstOrDefault();

    /// <summary>The final text; asserts that the turn ended with exactly one done event, and last.</summary>
    public string Text
    {
        get
        {
            Assert.Equal("done", Events[^1].GetProperty("type").GetString());
            Assert.Single(OfType("done"));
            return Events[^1].GetProperty("text").GetString()!;
        }
    }

    public string Streamed => string.Concat(OfType("text_delta").Select(e => e.GetProperty("delta").GetString()));
}
