using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatKit.Bench.Drills;

/// <summary>Drill pg-stop: PostgreSQL stopped (fast shutdown) for 10 s under load from 8 clients.</summary>
public static class PgStopDrill
{
    public static async Task<JsonObject> RunAsync(DrillOptions o)
    {
        var total = TimeSpan.FromSeconds(o.Seconds ?? 40);
        var stopAt = TimeSpan.FromSeconds(8);
        var outage = TimeSpan.FromSeconds(10);
        await using var stack = await Stack.StartAsync();
        await stack.StartOursAsync();
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
            await stack.Pg.Server.StopAsync();
            await Task.Delay(outage - (sw.Elapsed - TimeSpan.FromSeconds(pgDownAt)));
            Log.Info("starting PostgreSQL again");
            await stack.Pg.Server.StartAsync();
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
                    var r = await client.StreamAsync(token, Ops.Create(text), cts.Token);
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
        foreach (var a in acked)
        {
            var (status, json, raw) = await client.CallAsync(a.Token!, Ops.ListItems(a.ThreadId!, 50, null, "asc"));
            var texts = status == 200 ? json!["data"]!.AsArray().Select(i => i!.ToJsonString()).ToList() : [];
            if (!texts.Any(x => x.Contains(a.Text, StringComparison.Ordinal)) || texts.Count < 2) missing.Add($"{a.ThreadId} ({status}) {Text.Cut(raw, 120)}");
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
}
