using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatKit.Bench;

/// <summary>
/// Reliability drills against our stack (loopback only, bounded in time and count). Each writes
/// bench/results/drill-NAME.json and its section of docs/reliability.md.
/// </summary>
public static class Drills
{
    public static async Task<int> Run(string name, Dictionary<string, string> opts)
    {
        if (!opts.ContainsKey("no-build")) await Stack.BuildOurs();
        var names = name == "all" ? new[] { "pg-stop", "agent-kill", "provider", "fuzz", "replica-kill", "stall" } : [name];
        var failed = 0;
        foreach (var n in names)
        {
            Log.Info($"== drill {n}");
            var result = n switch
            {
                "pg-stop" => await PgStop(opts),
                "agent-kill" => await AgentKill(opts),
                "provider" => await Provider(opts),
                "fuzz" => await Fuzz.Run(opts),
                "replica-kill" => await ReplicaKill.Run(opts),
                "stall" => await Stall.Run(opts),
                _ => throw new ArgumentException($"unknown drill {n}"),
            };
            result["drill"] = n;
            result["finished_utc"] = DateTime.UtcNow.ToString("O");
            var passed = result["passed"]?.GetValue<bool>() == true;
            if (!passed) failed++;
            var path = Path.Combine(Paths.Results, $"drill-{n}.json");
            File.WriteAllText(path, result.ToJsonString(Json.Options));
            Report.Splice(Path.Combine(Paths.Docs, "reliability.md"), $"<!-- drill:{n}:start -->", $"<!-- drill:{n}:end -->",
                (string?)result["summary"] ?? "");
            Log.Info($"drill {n}: {(passed ? "PASSED" : "FAILED")} — {path}");
        }
        return failed == 0 ? 0 : 1;
    }

    static string Short(string s, int n = 300) => s.Length <= n ? s : s[..n] + "…";

    // ---------------------------------------------------------------- PostgreSQL stopped for 10 s under load
    static async Task<JsonObject> PgStop(Dictionary<string, string> opts)
    {
        var total = TimeSpan.FromSeconds(int.Parse(opts.GetValueOrDefault("seconds") ?? "40"));
        var stopAt = TimeSpan.FromSeconds(8);
        var outage = TimeSpan.FromSeconds(10);
        await using var stack = await Stack.Start();
        await stack.StartOurs();
        var target = stack.Targets["ours"];
        var apiPid = stack.Api!.Pid; var agentPid = stack.Agent!.Pid;
        using var client = new ChatKitClient(target.BaseUri);
        var outcomes = new ConcurrentBag<(double T, string Kind, double Ms, string? Token, string? ThreadId, string Text)>();
        var sw = Stopwatch.StartNew();
        double pgDownAt = 0, pgUpAt = 0;
        var chaos = Task.Run(async () =>
        {
            await Task.Delay(stopAt);
            Log.Info("stopping PostgreSQL (fast shutdown)");
            pgDownAt = sw.Elapsed.TotalSeconds;
            stack.Pg.Stop();
            await Task.Delay(outage - (sw.Elapsed - TimeSpan.FromSeconds(pgDownAt)));
            Log.Info("starting PostgreSQL again");
            await stack.Pg.Start();
            pgUpAt = sw.Elapsed.TotalSeconds;
        });
        var workers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var token = stack.Tokens.Mint($"pgdrill-{w}");
            for (var n = 0; sw.Elapsed < total; n++)
            {
                var text = $"add pgdrill {w}-{n}";
                var t = sw.Elapsed.TotalSeconds;
                var one = Stopwatch.StartNew();
                string kind;
                string? threadId = null;
                try
                {
                    using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                    var r = await client.Stream(token, Ops.Create(text), cts.Token);
                    threadId = r.ThreadId;
                    kind = r.Status != 200 ? $"http {r.Status}"
                        : r.Error is { } e ? $"error event {(string?)e["code"]} (allow_retry {(bool?)e["allow_retry"]})"
                        : r.AssistantText.Length > 0 ? "ok" : "200 without an answer";
                }
                catch (TaskCanceledException) { kind = "timeout (20 s)"; }
                catch (HttpRequestException e) { kind = "connection error: " + e.HttpRequestError; }
                outcomes.Add((t, kind, one.Elapsed.TotalMilliseconds, token, threadId, text));
                if (kind != "ok") await Task.Delay(100);
            }
        })).ToArray();
        await Task.WhenAll(workers);
        await chaos;

        // Every acknowledged message must be in the database: read each thread back through the API.
        var acked = outcomes.Where(o => o.Kind == "ok").ToList();
        var missing = new List<string>();
        foreach (var o in acked)
        {
            var (status, json, raw) = await client.Call(o.Token!, Ops.ListItems(o.ThreadId!, 50, null, "asc"));
            var texts = status == 200 ? json!["data"]!.AsArray().Select(i => i!.ToJsonString()).ToList() : [];
            if (!texts.Any(x => x.Contains(o.Text, StringComparison.Ordinal)) || texts.Count < 2) missing.Add($"{o.ThreadId} ({status}) {Short(raw, 120)}");
        }
        var servicesKept = stack.Api.Alive && stack.Agent.Alive && stack.Api.Pid == apiPid && stack.Agent.Pid == agentPid;
        var during = outcomes.Where(o => o.T >= pgDownAt && o.T < pgUpAt).ToList();
        var after = outcomes.Where(o => o.T >= pgUpAt).OrderBy(o => o.T).ToList();
        var firstOkAfter = after.FirstOrDefault(o => o.Kind == "ok");
        var recovery = firstOkAfter.Kind is null ? double.NaN : firstOkAfter.T + firstOkAfter.Ms / 1000 - pgUpAt;
        var tailOk = after.Where(o => o.T > pgUpAt + 5).All(o => o.Kind == "ok");
        var hung = outcomes.Count(o => o.Kind.StartsWith("timeout"));
        var server500 = outcomes.Count(o => o.Kind == "http 500");
        var kinds = outcomes.GroupBy(o => (o.T < pgDownAt ? "before" : o.T < pgUpAt ? "during" : "after") + ": " + o.Kind)
            .ToDictionary(g => g.Key, g => g.Count());
        var passed = missing.Count == 0 && servicesKept && tailOk && hung == 0 && server500 == 0 && acked.Count > 0;
        var maxDuringMs = during.Count == 0 ? 0 : during.Max(o => o.Ms);
        var summary = $"""
            Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC: 8 clients sending `threads.create` for {total.TotalSeconds:F0} s; PostgreSQL stopped (fast shutdown) at {pgDownAt:F1} s and started again at {pgUpAt:F1} s. **{(passed ? "Passed" : "Failed")}.**

            | figure | value |
            |---|---|
            | requests | {outcomes.Count} ({acked.Count} acknowledged with a full answer) |
            | outcomes | {string.Join("; ", kinds.OrderBy(k => k.Key).Select(k => $"{k.Key} × {k.Value}"))} |
            | slowest answer while PostgreSQL was down | {maxDuringMs:F0} ms |
            | hung requests (no answer in 20 s) / HTTP 500 | {hung} / {server500} |
            | first success after the restart | {recovery:F2} s after PostgreSQL was back |
            | every request ok from 5 s after the restart on | {(tailOk ? "yes" : "no")} |
            | services restarted? | {(servicesKept ? "no (same API and agent processes throughout)" : "**yes / died**")} |
            | acknowledged messages missing afterwards | {missing.Count} of {acked.Count}{(missing.Count > 0 ? ": " + string.Join("; ", missing.Take(5)) : "")} |
            """;
        return new JsonObject
        {
            ["passed"] = passed, ["summary"] = summary, ["requests"] = outcomes.Count, ["acknowledged"] = acked.Count,
            ["missing"] = new JsonArray(missing.Select(m => (JsonNode?)m).ToArray()), ["outcomes"] = JsonSerializer.SerializeToNode(kinds),
            ["pg_down_s"] = pgDownAt, ["pg_up_s"] = pgUpAt, ["recovery_s"] = double.IsNaN(recovery) ? null : recovery,
            ["services_kept"] = servicesKept, ["max_ms_during_outage"] = maxDuringMs,
        };
    }

    // ---------------------------------------------------------------- the agent killed mid-answer
    static async Task<Stack> StackWithFakeProvider(FakeOpenAi fake)
    {
        var stack = await Stack.Start();
        stack.UseModel(fake);
        // Bounded drill: 10 s per provider attempt and 30 s in all (defaults 60 s and 3 min) through the agent's own knob.
        stack.AgentEnvExtra["Agent__Model__Resilience__AttemptTimeout__Timeout"] = "00:00:10";
        stack.AgentEnvExtra["Agent__Model__Resilience__TotalRequestTimeout__Timeout"] = "00:00:30";
        await stack.StartOurs();
        return stack;
    }

    static async Task<JsonObject> AgentKill(Dictionary<string, string> opts)
    {
        var rounds = int.Parse(opts.GetValueOrDefault("rounds") ?? "3");
        await using var fake = await FakeOpenAi.Start();
        await using var stack = await StackWithFakeProvider(fake);
        using var client = new ChatKitClient(stack.Targets["ours"].BaseUri);
        var rows = new List<string>();
        var allOk = true;
        var details = new JsonArray();
        for (var round = 1; round <= rounds; round++)
        {
            fake.Mode = "slow";
            var token = stack.Tokens.Mint($"killdrill-{round}");
            var killed = false;
            var sw = Stopwatch.StartNew();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var reply = await client.StreamLive(token, Ops.Create($"tell me something, round {round}"), e =>
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
                var (s, json, _) = await client.Call(token, Ops.ListItems(threadId, 50, null, "asc"));
                kept = s == 200 && json!["data"]!.AsArray().Any(i => (string?)i!["id"] == userMsg && (string?)i["type"] == "user_message");
            }
            // Agent back; retry the turn.
            fake.Mode = "ok";
            await stack.RestartAgent();
            var retry = threadId is null || userMsg is null ? null
                : await client.Stream(token, $"{{\"type\":\"threads.retry_after_item\",\"params\":{{\"thread_id\":\"{threadId}\",\"item_id\":\"{userMsg}\"}}}}");
            var retryOk = retry is { Status: 200, Error: null } && retry.AssistantText.Length > 0;
            var ok = killed && endedWithRetryableError && kept && retryOk;
            allOk &= ok;
            rows.Add($"| {round} | {(killed ? "yes" : "no")} | `{Short(last?.ToJsonString(Json.Compact) ?? reply.Raw, 110)}` | {(kept ? "yes" : "**no**")} | {(retryOk ? "yes" : "**no**: " + Short(retry?.Raw ?? "no thread", 80))} |");
            details.Add(new JsonObject
            {
                ["round"] = round, ["killed"] = killed, ["last_event"] = last?.DeepClone(), ["user_message_kept"] = kept, ["retry_ok"] = retryOk,
                ["event_types"] = new JsonArray(reply.Events.Select(e => (JsonNode?)JsonValue.Create((string?)e["type"])).ToArray()),
            });
        }
        var summary = $"""
            Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC: {rounds} rounds. The agent uses the openai provider against the fake provider in slow mode (one word every {fake.SlowDelayMs} ms); the agent process gets SIGKILL when the first text delta reaches the client, is started again, and the client sends `threads.retry_after_item` for its message. **{(allOk ? "Passed" : "Failed")}.**

            | round | killed mid-answer | last event of the turn (a `thread.updated` with the title may follow) | user message kept | retry succeeded |
            |---:|---|---|---|---|
            {string.Join("\n", rows)}
            """;
        return new JsonObject { ["passed"] = allOk, ["summary"] = summary, ["rounds"] = details };
    }

    // ---------------------------------------------------------------- the model provider failing
    static async Task<JsonObject> Provider(Dictionary<string, string> opts)
    {
        await using var fake = await FakeOpenAi.Start();
        await using var stack = await StackWithFakeProvider(fake);
        using var client = new ChatKitClient(stack.Targets["ours"].BaseUri);
        var rows = new List<string>();
        var details = new JsonArray();
        var allOk = true;
        foreach (var mode in new[] { "429", "500", "hang" })
        {
            var token = stack.Tokens.Mint($"providerdrill-{mode}");
            fake.Mode = "ok";
            var first = await client.Stream(token, Ops.Create("hello"));
            var threadId = first.ThreadId;
            fake.Mode = mode;
            fake.ResetCount();
            var sw = Stopwatch.StartNew();
            StreamReply reply;
            using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(240)))
            {
                try { reply = await client.Stream(token, Ops.AddMessage(threadId ?? "none", $"what about {mode}?"), cts.Token); }
                catch (TaskCanceledException) { reply = new StreamReply(-2, [], "no end of stream within 240 s"); }
            }
            var elapsed = sw.Elapsed.TotalSeconds;
            var attempts = fake.Requests;
            var last = reply.Events.LastOrDefault(e => (string?)e["type"] != "thread.updated");
            var clearError = (string?)last?["type"] == "error";
            var userMsg = reply.Events.FirstOrDefault(e => (string?)e["type"] == "thread.item.done" && (string?)e["item"]?["type"] == "user_message")?["item"]?["id"]?.GetValue<string>();
            var (s, json, _) = await client.Call(token, Ops.ListItems(threadId ?? "none", 50, null, "asc"));
            var items = s == 200 ? json!["data"]!.AsArray().Select(i => i!.AsObject()).ToList() : [];
            var kept = items.Any(i => (string?)i["id"] == userMsg) && items.Count(i => (string?)i["type"] == "user_message") == 2;
            fake.Mode = "ok";
            var retry = userMsg is null ? null
                : await client.Stream(token, $"{{\"type\":\"threads.retry_after_item\",\"params\":{{\"thread_id\":\"{threadId}\",\"item_id\":\"{userMsg}\"}}}}");
            var retryOk = retry is { Status: 200, Error: null } && retry.AssistantText.Length > 0;
            var ok = clearError && kept && retryOk && (mode == "hang" || attempts > 1);
            allOk &= ok;
            rows.Add($"| {mode} | {attempts} | {elapsed:F1} s | `{Short(last?.ToJsonString(Json.Compact) ?? reply.Raw, 160)}` | {(kept ? "yes" : "**no**")} | {(retryOk ? "yes" : "**no**")} |");
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
