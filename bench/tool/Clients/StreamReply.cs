using System.Text.Json.Nodes;

namespace ChatKit.Bench.Clients;

/// <summary>A whole streamed answer: the HTTP status, its SSE events and the raw text.</summary>
public sealed record StreamReply(int Status, List<JsonObject> Events, string Raw)
{
    public string? ThreadId => Events.FirstOrDefault(e => (string?)e["type"] == "thread.created")?["thread"]?["id"]?.GetValue<string>();
    public JsonObject? Error => Events.FirstOrDefault(e => (string?)e["type"] == "error");
    public string AssistantText => string.Concat(Events.Where(e => (string?)e["type"] == "thread.item.done" && (string?)e["item"]?["type"] == "assistant_message")
        .Select(e => string.Concat(e["item"]!["content"]!.AsArray().Select(c => (string?)c?["text"] ?? ""))));
    public int Deltas => Events.Count(e => (string?)e["update"]?["type"] == "assistant_message.content_part.text_delta");
}
