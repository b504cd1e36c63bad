using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace ChatKit.Bench.Reports;

/// <summary>Renders a `run` results file into docs/benchmarks.md between the generated-section markers (`ckbench report bench`).</summary>
public static class BenchReport
{
    const string Start = "<!-- bench:generated:start -->";
    const string End = "<!-- bench:generated:end -->";

    static readonly Dictionary<string, string> ScenarioTitles = new()
    {
        ["create"] = "New thread with a first message (`threads.create`, streamed)",
        ["followup"] = "Follow-up in a thread holding 50 items (`threads.add_user_message`, streamed)",
        ["list"] = "`threads.list` (20 a page, random cursors) for a user with 10,000 threads",
        ["items"] = "`items.list` (20 a page, random cursors) through a long thread",
    };

    public static void Write(string resultsPath)
    {
        var doc = JsonNode.Parse(File.ReadAllText(resultsPath))!.AsObject();
        var md = Render(doc, Path.GetRelativePath(Paths.Repo, resultsPath));
        MarkdownSection.Splice(Path.Combine(Paths.Docs, "benchmarks.md"), Start, End, md);
        Log.Info("docs/benchmarks.md updated");
    }

    static string F(double v, int digits = 1) => v.ToString("N" + digits, CultureInfo.InvariantCulture);
    static double D(JsonNode? n) => n?.GetValue<double>() ?? 0;

    static string Render(JsonObject doc, string source)
    {
        var sb = new StringBuilder();
        var ms = doc["measurements"]!.AsArray().Select(m => m!.AsObject()).ToList();
        var targets = ms.Select(m => (string)m["target"]!).Distinct().ToList();
        var peers = targets.Where(t => t != "ours").ToList();
        var machine = doc["machine"]!;
        sb.AppendLine($"Run of {doc["started_utc"]} ({source}); {machine["cores"]} cores, {machine["cpu"]}; 1-minute load average at the end of the run, the bench's own processes included: {machine["load_avg_1m"]} (each measurement's load before it is in the JSON).");
        if (doc["probe"] is JsonObject probe)
            sb.AppendLine($"Answer to `{doc["options"]?["message"]}`: {probe["answer_chars"]} characters in {probe["text_deltas"]} text deltas, {probe["events"]} events ({probe["response_bytes"]} bytes); the peers stream a scripted answer of the same length and delta count.");
        sb.AppendLine();
        var targetWarmup = (int?)doc["options"]?["target_warmup_s"] ?? 0;
        var warmup = (int?)doc["options"]?["warmup_s"] ?? 0;
        sb.AppendLine($"Warm-up: {targetWarmup} s of unmeasured load per target before its first measurement, then {warmup} s before each.");
        sb.AppendLine();
        sb.AppendLine("Throughput (req/s) from wrk (`-t2`, closed loop); latency percentiles (to the last byte) and TTFE (time to the first SSE event) from ckbench's raw-socket generator, in a separate run at the same concurrency right after. wrk's own percentiles are not used: its coordinated-omission correction adds synthetic samples using the interval between completions across all connections, so one slow response at concurrency 8 turns into hundreds of fake slow ones. \"fail\" counts non-200 answers, streams that carried an `error` event and socket errors in the wrk run.");
        foreach (var scenario in ms.Select(m => (string)m["scenario"]!).Distinct())
        {
            sb.AppendLine();
            sb.AppendLine($"### {ScenarioTitles.GetValueOrDefault(scenario, scenario)}");
            sb.AppendLine();
            var streaming = ms.Any(m => (string)m["scenario"]! == scenario && m["raw"]?["ttfe_ms"] is JsonObject);
            var header = new StringBuilder("| conc. |");
            var rule = new StringBuilder("|---:|");
            foreach (var t in targets)
            {
                header.Append($" {t} req/s | {t} p50 / p95 / p99 ms |" + (streaming ? $" {t} TTFE p50 / p99 ms |" : "") + $" {t} fail |");
                rule.Append("---:|---:|" + (streaming ? "---:|" : "") + "---:|");
            }
            if (targets.Contains("ours"))
                foreach (var p in peers) { header.Append($" ours / {p} |"); rule.Append("---:|"); }
            sb.AppendLine(header.ToString());
            sb.AppendLine(rule.ToString());
            foreach (var conc in ms.Where(m => (string)m["scenario"]! == scenario).Select(m => (int)m["concurrency"]!).Distinct().Order())
            {
                var row = new StringBuilder($"| {conc} |");
                JsonObject? Find(string t) => ms.FirstOrDefault(m => (string)m["target"]! == t && (string)m["scenario"]! == scenario && (int)m["concurrency"]! == conc);
                foreach (var t in targets)
                {
                    var m = Find(t);
                    if (m is null) { row.Append(" – | – |" + (streaming ? " – |" : "") + " – |"); continue; }
                    var w = m["wrk"]!;
                    var l = m["raw"]?["latency_ms"] as JsonObject ?? w["latency_ms"]!;
                    row.Append($" {F(D(w["rps"]), 0)} | {F(D(l["p50"]), 2)} / {F(D(l["p95"]), 2)} / {F(D(l["p99"]), 2)} |");
                    if (streaming) row.Append(m["raw"]?["ttfe_ms"] is JsonObject tt ? $" {F(D(tt["p50"]), 2)} / {F(D(tt["p99"]), 2)} |" : " – |");
                    row.Append($" {D(w["bad_status"]) + D(w["error_events"]) + D(w["socket_errors"])} |");
                }
                if (targets.Contains("ours"))
                    foreach (var p in peers)
                    {
                        var a = Find("ours"); var b = Find(p);
                        row.Append(a is null || b is null || D(b["wrk"]!["rps"]) == 0 ? " – |" : $" {F(D(a["wrk"]!["rps"]) / D(b["wrk"]!["rps"]), 2)}× |");
                    }
                sb.AppendLine(row.ToString());
            }
        }

        sb.AppendLine();
        sb.AppendLine("### CPU and memory during each measurement (wrk run)");
        sb.AppendLine();
        sb.AppendLine("CPU as a share of one core (200% = both cores), from /proc utime+stime; peak RSS sampled every 250 ms (PostgreSQL: summed over its processes, so shared buffers count more than once). \"CPU ms/req\" is all the services' CPU divided by requests. \"wrk\" is the generator's own CPU; \"machine\" is the whole box's busy share (100% = both cores), which shows any other work on the machine.");
        sb.AppendLine();
        sb.AppendLine("| target | scenario | conc. | processes: CPU % / peak RSS MiB | CPU ms/req | wrk CPU % | machine busy % |");
        sb.AppendLine("|---|---|---:|---|---:|---:|---:|");
        foreach (var m in ms)
        {
            var usage = m["usage"]!.AsObject();
            var cpuSeconds = usage.Sum(u => D(u.Value!["cpu_seconds"]));
            var requests = D(m["wrk"]!["requests"]);
            var procs = string.Join(", ", usage.Select(u => $"{u.Key} {F(D(u.Value!["cpu_percent"]), 0)}% / {F(D(u.Value!["peak_rss_mi_b"]), 0)}"));
            sb.AppendLine($"| {m["target"]} | {m["scenario"]} | {m["concurrency"]} | {procs} | {(requests == 0 ? "–" : F(cpuSeconds * 1000 / requests, 2))} | {F(D(m["generator_cpu_percent"]), 0)} | {F(D(m["machine_cpu_percent"]), 0)} |");
        }

        if (doc["seed"] is JsonObject seed)
        {
            sb.AppendLine();
            sb.AppendLine("Seeding (through the protocol, per target): " + string.Join("; ", seed.Select(s => $"{s.Key}: " + string.Join(", ", s.Value!.AsObject().Select(kv => $"{kv.Key.Replace('_', ' ')} {kv.Value}")))) + ".");
        }

        // Targets of the issue, where this run has the figures.
        JsonObject? Get(string t, string s, int c) => ms.FirstOrDefault(m => (string)m["target"]! == t && (string)m["scenario"]! == s && (int)m["concurrency"]! == c);
        var ours = Get("ours", "create", 8);
        if (ours is not null)
        {
            sb.AppendLine();
            sb.AppendLine("### Targets (new thread, concurrency 8)");
            sb.AppendLine();
            sb.AppendLine("| target | figure | met? |");
            sb.AppendLine("|---|---|---|");
            var rps = D(ours["wrk"]!["rps"]);
            if (Get("peer-pg", "create", 8) is { } pg)
            {
                var ratio = rps / D(pg["wrk"]!["rps"]);
                sb.AppendLine($"| ≥ the PostgreSQL peer's throughput | {F(rps, 0)} vs {F(D(pg["wrk"]!["rps"]), 0)} req/s = {F(ratio, 2)}× | {(ratio >= 1 ? "yes" : "**no**")} |");
            }
            if (Get("peer-memory", "create", 8) is { } mem)
            {
                var ratio = rps / D(mem["wrk"]!["rps"]);
                sb.AppendLine($"| ≥ 45% of the in-memory peer's throughput | {F(rps, 0)} vs {F(D(mem["wrk"]!["rps"]), 0)} req/s = {F(ratio * 100, 0)}% | {(ratio >= 0.45 ? "yes" : "**no**")} |");
            }
            if (ours["raw"]?["ttfe_ms"] is JsonObject ttfe)
                sb.AppendLine($"| p99 time to first event < 25 ms | {F(D(ttfe["p99"]), 2)} ms | {(D(ttfe["p99"]) < 25 ? "yes" : "**no**")} |");
        }
        return sb.ToString().TrimEnd();
    }
}
