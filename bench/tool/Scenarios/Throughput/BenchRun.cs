using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatKit.Bench.Reports;

namespace ChatKit.Bench.Scenarios.Throughput;

/// <summary>The benchmark run: seeds every target through the protocol, then measures every scenario at every concurrency.</summary>
public sealed class BenchRun(Stack stack, BenchOptions o)
{
    readonly List<Measurement> measurements = [];
    readonly Dictionary<string, JsonObject> seedInfo = [];

    public static async Task<int> RunAsync(BenchOptions o)
    {
        var load = Machine.LoadAvg1();
        Log.Info($"load average (1 min) at start: {load:F2}; {Environment.ProcessorCount} cores");
        if (o.BuildOurs && o.Targets.Contains("ours")) await Stack.BuildOursAsync();
        await using var stack = await Stack.StartAsync();
        var answer = "Added “buy milk” to your list.";
        var chunks = 8;
        JsonObject? probe = null;
        if (o.Targets.Contains("ours"))
        {
            await stack.StartOursAsync();
            // The peers answer with a script of the same length and chunk count as our agent's answer to the same message.
            using var c = new ChatKitClient(stack.Targets["ours"].BaseUri);
            var reply = await c.StreamAsync(stack.Tokens.Mint("bench-probe"), Ops.Create(o.Message));
            if (reply.Status != 200 || reply.Error is not null || reply.AssistantText.Length == 0)
                throw new InvalidOperationException($"ours did not answer the probe: {reply.Status} {reply.Raw[..Math.Min(600, reply.Raw.Length)]}");
            answer = reply.AssistantText;
            chunks = Math.Max(1, reply.Deltas);
            probe = new JsonObject
            {
                ["answer"] = answer, ["answer_chars"] = answer.Length, ["text_deltas"] = chunks, ["events"] = reply.Events.Count,
                ["event_types"] = new JsonArray(reply.Events.Select(e => (JsonNode?)JsonValue.Create((string?)e["type"])).ToArray()),
                ["response_bytes"] = Text.Utf8.GetByteCount(reply.Raw),
            };
            Log.Info($"ours answers {answer.Length} chars in {chunks} deltas, {reply.Events.Count} events");
        }
        if (o.Targets.Contains("peer-memory")) await stack.StartPeerAsync("memory", answer, chunks);
        if (o.Targets.Contains("peer-pg")) await stack.StartPeerAsync("pg", answer, chunks);
        if (o.Targets.Contains("peer-pg-verify")) await stack.StartPeerAsync("pg-verify", answer, chunks);

        var bench = new BenchRun(stack, o);
        foreach (var name in o.Targets) await bench.Measure(stack.Targets[name]);
        var path = bench.Save(probe);
        // Result files stay local (bench/results/.gitignore), the docs summarize them and name the run's own file.
        if (!o.NoReport) BenchReport.Write(path);
        return 0;
    }

    async Task Measure(Target target)
    {
        Log.Info($"== {target.Name}: seeding");
        var sets = await Prepare(target);
        if (o.TargetWarmupS > 0)
        {
            Log.Info($"== {target.Name}: warming up for {o.TargetWarmupS} s");
            var each = TimeSpan.FromSeconds(Math.Max(1, o.TargetWarmupS / o.Scenarios.Length));
            foreach (var scenario in o.Scenarios)
            {
                await Wrk.RunAsync(target.BaseUri, sets[scenario].WriteTsv(Path.Combine(Paths.Work, "requests", target.Name)), 8, each);
            }
        }
        foreach (var scenario in o.Scenarios)
        {
            var set = sets[scenario];
            var tsv = set.WriteTsv(Path.Combine(Paths.Work, "requests", target.Name));
            foreach (var conc in o.Concurrency)
            {
                // Warm-up (not measured): JIT tiers, connection pools, prepared statements.
                if (o.WarmupS > 0) await Wrk.RunAsync(target.BaseUri, tsv, conc, TimeSpan.FromSeconds(o.WarmupS));
                var loadBefore = Machine.LoadAvg1();
                var machine = Machine.CpuSnapshot();
                var selfChildren = Machine.SelfChildrenCpu();
                var meter = new ResourceMeter(target.Processes);
                var (wrk, _) = await Wrk.RunAsync(target.BaseUri, tsv, conc, TimeSpan.FromSeconds(o.DurationS));
                var usage = meter.Finish();
                var machinePct = Machine.CpuPercentSince(machine);
                var genPct = (Machine.SelfChildrenCpu() - selfChildren) / wrk.DurationS * 100;
                // Latency comes from the raw generator for every scenario (wrk's percentiles are skewed; bench/README.md).
                var self = Machine.SelfCpu();
                var raw = await RawLoad.RunAsync(target.BaseUri, set, conc, TimeSpan.FromSeconds(o.TtfeDurationS), TimeSpan.FromSeconds(1));
                var rawGen = (Machine.SelfCpu() - self) / raw.DurationS * 100;
                var m = new Measurement(target.Name, scenario, conc, wrk, raw, usage, Math.Round(genPct, 1), Math.Round(rawGen, 1),
                    Math.Round(machinePct, 1), loadBefore, null);
                measurements.Add(m);
                Log.Info($"{target.Name,-12} {scenario,-9} c={conc,-3} {wrk.Rps,9:F0} req/s  p50 {raw.LatencyMs.P50,7:F2} ms  p99 {raw.LatencyMs.P99,7:F2} ms" +
                         (raw.TtfeMs is null ? "" : $"  TTFE p99 {raw.TtfeMs.P99,6:F2} ms") + $" ({raw.Rps:F0} req/s raw)" +
                         $"  fail {wrk.BadStatus + wrk.ErrorEvents + wrk.SocketErrors}  wrk cpu {genPct:F0}%  machine {machinePct:F0}%");
                await Task.Delay(500);
            }
        }
        if (sets.ContainsKey("followup"))
            seedInfo[target.Name]["followup_items_after"] = await ItemsInThread(target, sets["followup"].Requests[0]);
    }

    async Task<int> ItemsInThread(Target target, (string Token, string Body) request)
    {
        using var c = new ChatKitClient(target.BaseUri);
        var threadId = (string)JsonNode.Parse(request.Body)!["params"]!["thread_id"]!;
        return (await c.AllItemIdsAsync(request.Token, threadId)).Count;
    }

    async Task<Dictionary<string, RequestSet>> Prepare(Target target)
    {
        var sets = new Dictionary<string, RequestSet>();
        var info = seedInfo[target.Name] = new JsonObject();
        using var c = new ChatKitClient(target.BaseUri);
        var tok = new ConcurrentDictionary<string, string>();
        // The verifying peer checks HS256 session tokens (a ChatKit client secret); the others get Better Auth JWTs.
        string T(string user) => tok.GetOrAdd(target.Name + "-" + user, _ => target.Name == "peer-pg-verify"
            ? stack.Tokens.MintSession(target.Name + "-" + user)
            : stack.Tokens.Mint(target.Name + "-" + user));
        var sw = System.Diagnostics.Stopwatch.StartNew();

        if (o.Scenarios.Contains("create"))
            sets["create"] = new RequestSet("create", Enumerable.Range(0, o.CreateUsers).Select(i => (T($"create-{i}"), Ops.Create(o.Message))).ToList(), true);

        if (o.Scenarios.Contains("followup"))
        {
            var threads = new ConcurrentBag<(string Token, string ThreadId)>();
            await Parallel.ForEachAsync(Enumerable.Range(0, o.FollowupThreads), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            {
                var token = T($"follow-{i % 20}");
                var id = await MustCreate(c, token, o.Message, ct);
                for (var turn = 1; turn < o.FollowupTurns; turn++) await MustStream(c, token, Ops.AddMessage(id, o.Message), ct);
                threads.Add((token, id));
            });
            var list = threads.ToList();
            var items = await c.AllItemIdsAsync(list[0].Token, list[0].ThreadId);
            info["followup_threads"] = list.Count;
            info["followup_items_before"] = items.Count;
            sets["followup"] = new RequestSet("followup", list.Select(t => (t.Token, Ops.AddMessage(t.ThreadId, o.Message))).ToList(), true);
            Log.Info($"{target.Name}: {list.Count} threads of {items.Count} items ({sw.Elapsed.TotalSeconds:F0} s)");
        }

        if (o.Scenarios.Contains("list"))
        {
            var token = T("list");
            var ids = new ConcurrentBag<string>();
            await Parallel.ForEachAsync(Enumerable.Range(0, o.ListThreads), new ParallelOptions { MaxDegreeOfParallelism = 8 },
                async (_, ct) => ids.Add(await MustCreate(c, token, "hello", ct)));
            var rnd = new Random(42);
            var all = ids.ToArray();
            var reqs = new List<(string, string)> { (token, Ops.ListThreads(20, null)) };
            for (var i = 0; i < 63; i++) reqs.Add((token, Ops.ListThreads(20, all[rnd.Next(all.Length)])));
            info["list_threads"] = all.Length;
            sets["list"] = new RequestSet("list", reqs, false);
            Log.Info($"{target.Name}: user with {all.Length} threads ({sw.Elapsed.TotalSeconds:F0} s)");
        }

        if (o.Scenarios.Contains("items"))
        {
            var token = T("items");
            var id = await MustCreate(c, token, "hello", default);
            for (var turn = 1; turn < o.ItemsTurns; turn++) await MustStream(c, token, Ops.AddMessage(id, "hello"), default);
            var items = await c.AllItemIdsAsync(token, id);
            var rnd = new Random(7);
            var reqs = new List<(string, string)> { (token, Ops.ListItems(id, 20, null)) };
            for (var i = 0; i < 63; i++) reqs.Add((token, Ops.ListItems(id, 20, items[rnd.Next(items.Count)])));
            info["items_in_thread"] = items.Count;
            sets["items"] = new RequestSet("items", reqs, false);
            Log.Info($"{target.Name}: thread with {items.Count} items ({sw.Elapsed.TotalSeconds:F0} s)");
        }
        info["seed_seconds"] = Math.Round(sw.Elapsed.TotalSeconds, 1);
        return sets;
    }

    static async Task<string> MustCreate(ChatKitClient c, string token, string text, CancellationToken ct)
    {
        var r = await MustStream(c, token, Ops.Create(text), ct);
        return r.ThreadId ?? throw new InvalidOperationException("threads.create sent no thread.created event: " + r.Raw[..Math.Min(400, r.Raw.Length)]);
    }

    static async Task<StreamReply> MustStream(ChatKitClient c, string token, string body, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var r = await c.StreamAsync(token, body, ct);
            if (r.Status == 200 && r.Error is null) return r;
            if (attempt == 3) throw new InvalidOperationException($"seeding request failed ({r.Status}): {r.Raw[..Math.Min(400, r.Raw.Length)]}");
            await Task.Delay(200, ct);
        }
    }

    string Save(JsonObject? probe)
    {
        var doc = new JsonObject
        {
            ["label"] = o.Label,
            ["started_utc"] = DateTime.UtcNow.ToString("O"),
            ["machine"] = Machine.Describe(),
            ["options"] = JsonSerializer.SerializeToNode(o, Json.Options),
            ["probe"] = probe,
            ["seed"] = new JsonObject(seedInfo.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            ["measurements"] = JsonSerializer.SerializeToNode(measurements, Json.Options),
        };
        var path = Path.Combine(Paths.Results, $"bench-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        File.WriteAllText(path, doc.ToJsonString(Json.Options));
        if (!o.NoReport) File.Copy(path, Path.Combine(Paths.Results, "bench-latest.json"), overwrite: true);
        Log.Info($"results: {path}");
        return path;
    }
}
