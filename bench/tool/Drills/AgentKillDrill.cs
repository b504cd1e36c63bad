using System.Diagnostics;
using System.Text.Json.Nodes;

namespace ChatKit.Bench.Drills;

/// <summary>Drill agent-kill: the agent killed mid-answer, then restarted and the turn retried.</summary>
public static class AgentKillDrill
{
    public static async Task<JsonObject> RunAsync(DrillOptions o)
    {
        var rounds = o.Rounds ?? 3;
        using var fake = new FakeOpenAIServer();
        await using var stack = await FakeProviderStack.StartAsync(fake);
        using var client = new ChatKitClient(stack.Targets["ours"].BaseUri);
        var rows = new List<string>();
        var allOk = true;
        var details = new JsonArray();
        for (var round = 1; round <= rounds; round++)
        {
            fake.Use(FakeModel.Reply("slow"));
            var token = stack.Tokens.Mint($"killdrill-{round}");
            var killed = false;
            var sw = Stopwatch.StartNew();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var reply = await client.StreamLiveAsync(token, Ops.Create($"tell me something, round {round}"), e =>
            {
                if (!killed && (string?)e["update"]?["type"] == "assistant_message.content_part.text_delta")
                {
                    killed = true;
                    Log.Info($"round {round}: first text delta after {sw.ElapsedMilliseconds} ms; SIGKILL to the agent");
                    stack.Agent!.Kill();
                }
                return Task.CompletedTask;
            }, cts.Token);
            // The error event ends the turn; a thread.updated (the title) may still follow it.
            var last = reply.Events.LastOrDefault(e => (string?)e["type"] != "thread.updated");
            var endedWithRetryableError = (string?)last?["type"] == "error" && last?["allow_retry"]?.GetValue<bool>() == true;
            var threadId = reply.ThreadId;
            var userMsg = reply.Events.FirstOrDefault(e => (string?)e["type"] == "thread.item.done" && (string?)e["item"]?["type"] == "user_message")?["item"]?["id"]?.GetValue<string>();
            var kept = false;
            if (threadId is not null)
            {
                var (s, json, _) = await client.CallAsync(token, Ops.ListItems(threadId, 50, null, "asc"));
                kept = s == 200 && json!["data"]!.AsArray().Any(i => (string?)i!["id"] == userMsg && (string?)i["type"] == "user_message");
            }
            // Agent back; retry the turn.
            fake.Use(FakeModel.Reply("ok"));
            await stack.RestartAgentAsync();
            var retry = threadId is null || userMsg is null ? null
                : await client.StreamAsync(token, $"{{\"type\":\"threads.retry_after_item\",\"params\":{{\"thread_id\":\"{threadId}\",\"item_id\":\"{userMsg}\"}}}}");
            var retryOk = retry is { Status: 200, Error: null } && retry.AssistantText.Length > 0;
            var ok = killed && endedWithRetryableError && kept && retryOk;
            allOk &= ok;
            rows.Add($"| {round} | {(killed ? "yes" : "no")} | `{Text.Cut(last?.ToJsonString(Json.Compact) ?? reply.Raw, 110)}` | {(kept ? "yes" : "**no**")} | {(retryOk ? "yes" : "**no**: " + Text.Cut(retry?.Raw ?? "no thread", 80))} |");
            details.Add(new JsonObject
            {
                ["round"] = round, ["killed"] = killed, ["last_event"] = last?.DeepClone(), ["user_message_kept"] = kept, ["retry_ok"] = retryOk,
                ["event_types"] = new JsonArray(reply.Events.Select(e => (JsonNode?)JsonValue.Create((string?)e["type"])).ToArray()),
            });
        }
        var summary = $"""
            Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC: {rounds} rounds. The agent uses the openai provider against the fake provider in slow mode (one word every {FakeModel.SlowDelayMs} ms); the agent process gets SIGKILL when the first text delta reaches the client, is started again, and the client sends `threads.retry_after_item` for its message. **{(allOk ? "Passed" : "Failed")}.**

            | round | killed mid-answer | last event of the turn (a `thread.updated` with the title may follow) | user message kept | retry succeeded |
            |---:|---|---|---|---|
            {string.Join("\n", rows)}
            """;
        return new JsonObject { ["passed"] = allOk, ["summary"] = summary, ["rounds"] = details };
    }
}
