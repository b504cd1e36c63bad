using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ChatKit.Bench;

/// <summary>
/// Listing latency at 100, 10,000 and 100,000 rows per user. Each user gets one real thread made through the protocol;
/// its rows are then cloned with SQL (fast): N threads for threads.list, N items in one thread for items.list.
/// The raw generator at concurrency 1 measures the first page and pages at random cursors; auto_explain records the real plans.
/// </summary>
public static partial class Scale
{
    /// <summary>Where a server keeps threads and items, for the SQL cloner.</summary>
    sealed record Schema(string Db, string Threads, string Items, string Owner, string ItemThread, string CreatedAt, string? UpdatedAt, string? ItemData, string? ThreadData);

    static readonly Dictionary<string, Schema> Schemas = new()
    {
        ["ours"] = new("conversationsdb", "threads", "thread_items", "owner_id", "thread_id", "created_at", "updated_at", "data", null),
        ["peer-pg"] = new("peerdb", "peer_threads", "peer_items", "user_id", "thread_id", "created_at", null, "data", "data"),
    };

    public static async Task<int> Run(Dictionary<string, string> opts)
    {
        var rows = (opts.GetValueOrDefault("rows") ?? "100,10000,100000").Split(',').Select(int.Parse).ToArray();
        var targets = (opts.GetValueOrDefault("targets") ?? "ours,peer-pg").Split(',');
        var duration = TimeSpan.FromSeconds(int.Parse(opts.GetValueOrDefault("duration") ?? "5"));
        if (!opts.ContainsKey("no-build") && targets.Contains("ours")) await Stack.BuildOurs();
        await using var stack = await Stack.Start();
        if (targets.Contains("ours")) await stack.StartOurs();
        if (targets.Contains("peer-pg")) await stack.StartPeer("pg", "Scripted answer.", 4);
        var results = new JsonArray();
        var plans = new StringBuilder();
        foreach (var name in targets)
        {
            var target = stack.Targets[name];
            var schema = Schemas[name];
            using var client = new ChatKitClient(target.BaseUri);
            var perN = new List<(int N, string Token, string ThreadId, List<string> ThreadIds, List<string> ItemIds)>();
            foreach (var n in rows)
            {
                var user = $"{name}-scale-{n}";
                var token = stack.Tokens.Mint(user);
                var r = await client.Stream(token, Ops.Create("hello"));
                var threadId = r.ThreadId ?? throw new InvalidOperationException("no thread: " + r.Raw);
                var sw = System.Diagnostics.Stopwatch.StartNew();
                await Clone(stack.Pg, schema, user, threadId, n);
                await stack.Pg.Exec(schema.Db, $"analyze {schema.Threads}; analyze {schema.Items};");
                var threadIds = await stack.Pg.Lines(schema.Db, $"select id from {schema.Threads} where {schema.Owner} = '{user}'");
                var itemIds = await stack.Pg.Lines(schema.Db, $"select id from {schema.Items} where {schema.ItemThread} = '{threadId}'");
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
                    var w = await RawLoad.Run(target.BaseUri, set, 1, duration, TimeSpan.FromSeconds(2));
                    results.Add(new JsonObject
                    {
                        ["target"] = name, ["rows"] = n, ["case"] = caseName, ["rps"] = w.Rps, ["p50_ms"] = w.LatencyMs.P50,
                        ["p95_ms"] = w.LatencyMs.P95, ["p99_ms"] = w.LatencyMs.P99, ["failed"] = w.BadStatus + w.ErrorEvents + w.SocketErrors,
                    });
                    Log.Info($"{name} {n,7} rows  {caseName,-32} p50 {w.LatencyMs.P50,6:F2} ms  p99 {w.LatencyMs.P99,6:F2} ms  {w.Rps,7:F0} req/s  fail {w.BadStatus + w.ErrorEvents + w.SocketErrors}");
                }
                if (n == rows.Min() || n == rows.Max())
                    plans.Append(await Explain(stack, client, name, n, token, threadId, threadIds[threadIds.Count / 2], itemIds[itemIds.Count / 2]));
            }
        }
        var doc = new JsonObject { ["started_utc"] = DateTime.UtcNow.ToString("O"), ["machine"] = Machine.Describe(), ["results"] = results };
        var path = Path.Combine(Paths.Results, "scale-latest.json");
        File.WriteAllText(path, doc.ToJsonString(Json.Options));
        Report.Splice(Path.Combine(Paths.Docs, "benchmarks.md"), "<!-- bench:scale:start -->", "<!-- bench:scale:end -->", RenderScale(results));
        Report.Splice(Path.Combine(Paths.Docs, "benchmarks.md"), "<!-- bench:plans:start -->", "<!-- bench:plans:end -->", plans.ToString().TrimEnd());
        Log.Info($"results: {path}; docs/benchmarks.md updated");
        return 0;
    }

    /// <summary>Clones the template thread (n-1 copies for the user) and its first item (up to n items in the thread), with SQL.</summary>
    static async Task Clone(PgCluster pg, Schema s, string user, string threadId, int n)
    {
        var threadCols = await InsertableColumns(pg, s.Db, s.Threads);
        var itemCols = await InsertableColumns(pg, s.Db, s.Items);
        var tag = Convert.ToHexStringLower(BitConverter.GetBytes(n))[..6];
        string Sel(List<string> cols, Dictionary<string, string> overrides) =>
            string.Join(", ", cols.Select(c => overrides.TryGetValue(c, out var e) ? e : "t." + c));
        // Threads: oldest first, one microsecond apart, ending before the template.
        var tOver = new Dictionary<string, string>
        {
            ["id"] = $"'thr_' || '{tag}' || lpad(to_hex(g), 18, '0')",
            [s.CreatedAt] = $"t.{s.CreatedAt} - (g * interval '1 millisecond')",
        };
        if (s.UpdatedAt is not null) tOver[s.UpdatedAt] = $"t.{s.UpdatedAt} - (g * interval '1 millisecond')";
        if (s.ThreadData is not null) tOver[s.ThreadData] = $"replace(t.{s.ThreadData}::text, '{threadId}', 'thr_' || '{tag}' || lpad(to_hex(g), 18, '0'))::{await ColumnType(pg, s.Db, s.Threads, s.ThreadData)}";
        var order = s.Threads == "peer_threads" ? "order by g desc" : "";
        if (n > 1)
            await pg.Exec(s.Db, $"insert into {s.Threads} ({string.Join(", ", threadCols)}) select {Sel(threadCols, tOver)} from {s.Threads} t, generate_series(1, {n - 1}) g where t.id = '{threadId}' {order}");
        // Items: copies of the template's first item, appended after the existing ones.
        var existing = int.Parse((await pg.Lines(s.Db, $"select count(*) from {s.Items} where {s.ItemThread} = '{threadId}'"))[0]);
        var extra = n - existing;
        if (extra <= 0) return;
        var first = (await pg.Lines(s.Db, $"select id from {s.Items} where {s.ItemThread} = '{threadId}' order by {s.CreatedAt}, id limit 1"))[0];
        var iOver = new Dictionary<string, string>
        {
            ["id"] = $"'msg_' || '{tag}' || lpad(to_hex(g), 18, '0')",
            [s.CreatedAt] = $"now() + (g * interval '1 millisecond')",
        };
        if (s.ItemData is not null) iOver[s.ItemData] = $"replace(t.{s.ItemData}::text, '{first}', 'msg_' || '{tag}' || lpad(to_hex(g), 18, '0'))::{await ColumnType(pg, s.Db, s.Items, s.ItemData)}";
        await pg.Exec(s.Db, $"insert into {s.Items} ({string.Join(", ", itemCols)}) select {Sel(itemCols, iOver)} from {s.Items} t, generate_series(1, {extra}) g where t.id = '{first}' order by g");
    }

    /// <summary>Columns an INSERT may set: not generated, not identity, no sequence default.</summary>
    static Task<List<string>> InsertableColumns(PgCluster pg, string db, string table) => pg.Lines(db,
        $"select column_name from information_schema.columns where table_name = '{table}' and is_generated = 'NEVER' and is_identity = 'NO' " +
        "and coalesce(column_default, '') not like 'nextval%' order by ordinal_position");

    static async Task<string> ColumnType(PgCluster pg, string db, string table, string column) =>
        (await pg.Lines(db, $"select data_type from information_schema.columns where table_name = '{table}' and column_name = '{column}'"))[0];

    /// <summary>Turns auto_explain on (ANALYZE, BUFFERS) for one request of each listing kind and cuts the plans out of the server log.</summary>
    static async Task<string> Explain(Stack stack, ChatKitClient client, string name, int n, string token, string threadId, string threadCursor, string itemCursor)
    {
        var log = Path.Combine(Paths.Work, "logs", "postgres.log");
        await stack.Pg.Exec("postgres", "alter system set auto_explain.log_min_duration = 0; ");
        await stack.Pg.Exec("postgres", "alter system set auto_explain.log_analyze = on");
        await stack.Pg.Exec("postgres", "alter system set auto_explain.log_buffers = on");
        await stack.Pg.Exec("postgres", "select pg_reload_conf()");
        await Task.Delay(300);
        var sb = new StringBuilder();
        foreach (var (label, body) in new[]
                 {
                     ("threads.list, page at a cursor in the middle", Ops.ListThreads(20, threadCursor)),
                     ("items.list, page at a cursor in the middle", Ops.ListItems(threadId, 20, itemCursor)),
                 })
        {
            var start = new FileInfo(log).Length;
            // Twice: the first may plan and prepare; the second is the steady state.
            await client.Call(token, body);
            await Task.Delay(100);
            start = new FileInfo(log).Length;
            await client.Call(token, body);
            await Task.Delay(400);
            var text = await ReadFrom(log, start);
            var plansText = string.Join("\n\n", PlanPattern().Matches(text).Select(m => m.Value.Trim()));
            sb.AppendLine($"#### {name}, {n:N0} rows: {label}").AppendLine().AppendLine("```").AppendLine(plansText.Length > 0 ? plansText : "(no plan logged)").AppendLine("```").AppendLine();
        }
        await stack.Pg.Exec("postgres", "alter system reset all");
        await stack.Pg.Exec("postgres", "select pg_reload_conf()");
        return sb.ToString();
    }

    static async Task<string> ReadFrom(string path, long offset)
    {
        await using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        f.Seek(offset, SeekOrigin.Begin);
        return await new StreamReader(f).ReadToEndAsync();
    }

    [GeneratedRegex(@"LOG:\s+duration: [\d.]+ ms\s+plan:[\s\S]*?(?=\n\S*\d{4}-\d\d-\d\d|\n[^\s]|\z)")]
    private static partial Regex PlanPattern();

    static string RenderScale(JsonArray results)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"Run of {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC (bench/results/scale-latest.json); ckbench's raw-socket generator, concurrency 1, pages of 20. \"ratio\" is the p50 at the most rows over the p50 at the fewest (target: ≤ 1.5).");
        sb.AppendLine();
        var rowsList = results.Select(r => (int)r!["rows"]!).Distinct().Order().ToList();
        sb.AppendLine("| target | case | " + string.Join(" | ", rowsList.Select(n => $"{n:N0} rows p50 / p99 ms")) + " | ratio (p50) |");
        sb.AppendLine("|---|---|" + string.Concat(rowsList.Select(_ => "---:|")) + "---:|");
        foreach (var g in results.GroupBy(r => ((string)r!["target"]!, (string)r!["case"]!)))
        {
            var cells = rowsList.Select(n => g.FirstOrDefault(r => (int)r!["rows"]! == n) is { } r ? $"{(double)r["p50_ms"]!:F2} / {(double)r["p99_ms"]!:F2}" : "–");
            var lo = g.First(r => (int)r!["rows"]! == rowsList[0]); var hi = g.First(r => (int)r!["rows"]! == rowsList[^1]);
            var ratio = (double)hi!["p50_ms"]! / Math.Max(0.001, (double)lo!["p50_ms"]!);
            sb.AppendLine($"| {g.Key.Item1} | {g.Key.Item2} | {string.Join(" | ", cells)} | {ratio:F2}{(ratio <= 1.5 ? "" : " **(over 1.5)**")} |");
        }
        return sb.ToString().TrimEnd();
    }
}
