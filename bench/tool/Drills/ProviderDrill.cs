using System.Diagnostics;
using System.Text.Json.Nodes;

namespace ChatKit.Bench.Drills;

/// <summary>Drill provider: the model provider answering 429, 500, and hanging.</summary>
public static class ProviderDrill
{
    public static async Task<JsonObject> RunAsync()
    {
        using var fake = new FakeOpenAIServer();
        await using var stack = await FakeProviderStack.StartAsync(fake);
        using var client = new ChatKitClient(stack.Targets["ours"].BaseUri);
        var rows = new List<string>();
        var details = new JsonArray();
        var allOk = true;
        foreach (var mode in new[] { "429", "500", "hang" })
        {
            var token = stack.Tokens.Mint($"providerdrill-{mode}");
            fake.Use(FakeModel.Reply("ok"));
            var first = await client.StreamAsync(token, Ops.Create("hello"));
            var threadId = first.ThreadId;
            fake.Use(FakeModel.Reply(mode));
            fake.Requests.Clear();
            var sw = Stopwatch.StartNew();
            StreamReply reply;
            using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(240)))
            {
                try { reply = await client.StreamAsync(token, Ops.AddMessage(threadId ?? "none", $"what about {mode}?"), cts.Token); }
                catch (TaskCanceledException) { reply = new StreamReply(-2, [], "no end of stream within 240 s"); }
            }
            var elapsed = sw.Elapsed.TotalSeconds;
            var attempts = fake.Requests.Count;
            var last = reply.Events.LastOrDefault(e => (string?)e["type"] != "thread.updated");
            var clearError = (string?)last?["type"] == "error";
            var userMsg = reply.Events.FirstOrDefault(e => (string?)e["type"] == "thread.item.done" && (string?)e["item"]?["type"] == "user_message")?["item"]?["id"]?.GetValue<string>();
            var (s, json, _) = await client.CallAsync(token, Ops.ListItems(threadId ?? "none", 50, null, "asc"));
            var items = s == 200 ? json!["data"]!.AsArray().Select(i => i!.AsObject()).ToList() : [];
            var kept = items.Any(i => (string?)i["id"] == userMsg) && items.Count(i => (string?)i["type"] == "user_message") == 2;
            fake.Use(FakeModel.Reply("ok"));
            var retry = userMsg is null ? null
                : await client.StreamAsync(token, $"{{\"type\":\"threads.retry_after_item\",\"params\":{{\"thread_id\":\"{threadId}\",\"item_id\":\"{userMsg}\"}}}}");
            var retryOk = retry is { Status: 200, Error: null } && retry.AssistantText.Length > 0;
            var ok = clearError && kept && retryOk && (mode == "hang" || attempts > 1);
            allOk &= ok;
            rows.Add($"| {mode} | {attempts} | {elapsed:F1} s | `{Text.Cut(last?.ToJsonString(Json.Compact) ?? reply.Raw, 160)}` | {(kept ? "yes" : "**no**")} | {(retryOk ? "yes" : "**no**")} |");
            details.Add(new JsonObject
            {
                ["mode"] = mode, ["provider_requests"] = attempts, ["seconds"] = elapsed, ["last_event"] = last?.DeepClone(), ["user_message_kept"] = kept, ["retry_ok"] = retryOk,
                ["event_types"] = new JsonArray(reply.Events.Select(e => (JsonNode?)JsonValue.Create((string?)e["type"])).ToArray()),
            });
        }
        var summary = $"""
            Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC. The agent uses the openai provider (Agent:Model:Provider=openai) against the fake OpenAI-compatible server, with `Agent:Model:Resilience` set to 10 s per attempt and 30 s in all to bound the drill (defaults: 60 s and 3 min); for each failure mode one follow-up message is sent, then the provider is healed and the client retries with `threads.retry_after_item`. **{(allOk ? "Passed" : "Failed")}.**

            | provider answers | requests the provider got | time to the end of the stream | last event of the turn | user message kept | retry succeeded |
            |---|---:|---:|---|---|---|
            {string.Join("\n", rows)}
            """;
        return new JsonObject { ["passed"] = allOk, ["summary"] = summary, ["modes"] = details };
    }
}
