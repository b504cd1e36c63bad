using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatKit.Bench.Reports;

namespace ChatKit.Bench.Scenarios.Scale;

/// <summary>
/// Listing latency at 100, 10,000 and 100,000 rows per user. Each user gets one real thread made through the protocol;
/// its rows are then cloned with SQL (fast): N threads for threads.list, N items in one thread for items.list.
/// The raw generator at concurrency 1 measures the first page and pages at random cursors; auto_explain records the real plans.
/// </summary>
public static class ScaleRun
{
    public static async Task<int> RunAsync(int[] rows, string[] targets, int durationS, bool build)
    {
        var duration = TimeSpan.FromSeconds(durationS);
        if (build && targets.Contains("ours")) await Stack.BuildOursAsync();
        await using var stack = await Stack.StartAsync();
        if (targets.Contains("ours")) await stack.StartOursAsync();
        if (targets.Contains("peer-pg")) await stack.StartPeerAsync("pg", "Scripted answer.", 4);
        var results = new JsonArray();
        var plans = new StringBuilder();
        foreach (var name in targets)
        {
            var target = stack.Targets[name];
            var schema = ScaleSchema.ByTarget[name];
            using var client = new ChatKitClient(target.BaseUri);
            var perN = new List<(int N, string Token, string ThreadId, List<string> ThreadIds, List<string> ItemIds)>();
            foreach (var n in rows)
            {
                var user = $"{name}-scale-{n}";
                var token = stack.Tokens.Mint(user);
                var r = await client.StreamAsync(token, Ops.Create("hello"));
                var threadId = r.ThreadId ?? throw new InvalidOperationException("no thread: " + r.Raw);
                var sw = System.Diagnostics.Stopwatch.StartNew();
                await ScaleCloner.CloneAsync(stack.Pg, schema, user, threadId, n);
                await stack.Pg.ExecAsync(schema.Db, $"analyze {schema.Threads}; analyze {schema.Items};");
                var threadIds = await stack.Pg.LinesAsync(schema.Db, $"select id from {schema.Threads} where {schema.Owner} = '{user}'");
                var itemIds = await stack.Pg.LinesAsync(schema.Db, $"select id from {schema.Items} where {schema.ItemThread} = '{threadId}'");
                Log.Info($"{name}: user with {threadIds.Count} threads and a thread with {itemIds.Count} items ({sw.Elapsed.TotalSeconds:F1} s)");
                perN.Add((n, token, threadId, threadIds, itemIds));
            }
            foreach (var (n, token, threadId, threadIds, itemIds) in perN)
            {
                var rnd = new Random(n);
                var cases = new (string Name, RequestSet Set)[]
                {
                    ("threads.list first page", new RequestSet($"scale-{name}-{n}-tf", [(token, Ops.ListThreads(20, null))], false)),
                    ("threads.list at random cursors", new RequestSet($"scale-{name}-{n}-tc", Enumerable.Range(0, 64).Select(_ => (token, Ops.ListThreads(20, threadIds[rnd.Next(threadIds.Count)]))).ToList(), false)),
                    ("items.list first page", new RequestSet($"scale-{name}-{n}-if", [(token, Ops.ListItems(threadId, 20, null))], false)),
                    ("items.list at random cursors", new RequestSet($"scale-{name}-{n}-ic", Enumerable.Range(0, 64).Select(_ => (token, Ops.ListItems(threadId, 20, itemIds[rnd.Next(itemIds.Count)]))).ToList(), false)),
                };
                foreach (var (caseName, set) in cases)
                {
                    // The raw generator, not wrk: wrk's coordinated-omission correction skews its percentiles (bench/README.md).
                    var w = await RawLoad.RunAsync(target.BaseUri, set, 1, duration, TimeSpan.FromSeconds(2));
                    results.Add(new JsonObject
                    {
                        ["target"] = name, ["rows"] = n, ["case"] = caseName, ["rps"] = w.Rps, ["p50_ms"] = w.LatencyMs.P50,
                        ["p95_ms"] = w.LatencyMs.P95, ["p99_ms"] = w.LatencyMs.P99, ["failed"] = w.BadStatus + w.ErrorEvents + w.SocketErrors,
                    });
                    Log.Info($"{name} {n,7} rows  {caseName,-32} p50 {w.LatencyMs.P50,6:F2} ms  p99 {w.LatencyMs.P99,6:F2} ms  {w.Rps,7:F0} req/s  fail {w.BadStatus + w.ErrorEvents + w.SocketErrors}");
                }
                if (n == rows.Min() || n == rows.Max())
                    plans.Append(await ScalePlans.ExplainAsync(stack, client, name, n, token, threadId, threadIds[threadIds.Count / 2], itemIds[itemIds.Count / 2]));
            }
        }
        var doc = new JsonObject { ["started_utc"] = DateTime.UtcNow.ToString("O"), ["machine"] = Machine.Describe(), ["results"] = results,
            ["plans"] = plans.ToString().TrimEnd() };
        var path = Path.Combine(Paths.Results, "scale-latest.json");
        File.WriteAllText(path, doc.ToJsonString(Json.Options));
        Log.Info($"results: {path}");
        ScaleReport.Write(path);
        return 0;
    }
}
