using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace ChatKit.Bench.Reports;

/// <summary>Renders a crowd results file into the Crowd section of docs/benchmarks.md (`ckbench report crowd`).</summary>
public static class CrowdReport
{
    public static void Write(string resultsPath)
    {
        var doc = JsonNode.Parse(File.ReadAllText(resultsPath))!.AsObject();
        MarkdownSection.Splice(Path.Combine(Paths.Docs, "benchmarks.md"), "<!-- bench:crowd:start -->", "<!-- bench:crowd:end -->",
            Render(doc, Path.GetRelativePath(Paths.Repo, resultsPath)));
        Log.Info("docs/benchmarks.md (Crowd) updated");
    }

    static string F(double v, int digits = 0) => v.ToString("N" + digits, CultureInfo.InvariantCulture);

    static string P(JsonNode? stats, double scale = 1, int digits = 0) =>
        stats is JsonObject s && (int?)s["count"] > 0 ? $"{F((double)s["p50"]! / scale, digits)} / {F((double)s["p99"]! / scale, digits)}" : "–";

    static string Md(string s) => s.ReplaceLineEndings(" ").Replace("|", "\\|");

    static string Render(JsonObject doc, string source)
    {
        var sb = new StringBuilder();
        var o = doc["options"]!;
        var m = doc["machine"]!;
        var replicas = (int)o["replicas_api"]! > 1 || (int)o["replicas_agent"]! > 1
            ? $"; ours as {o["replicas_api"]} API and {o["replicas_agent"]} agent replicas (users spread over the API replicas by index)" : "";
        sb.AppendLine($"Run of {doc["started_utc"]} ({source}{(doc["label"] is { } label ? ", " + label : "")}): {o["users"]} users; the model's first text delta after " +
                      $"{F((double)o["first_token_ms"]!)} ms, then {(int)o["deltas"]! - 1} more {o["delta_gap_ms"]} ms apart ({o["deltas"]} in all); " +
                      $"PostgreSQL `max_connections={o["pg_max_connections"]}`{replicas}; {m["cores"]} cores, {m["cpu"]}; " +
                      $"load average (1 min) at the end: {m["load_avg_1m"]}. Command: `bench/bench.sh crowd --users {o["users"]} --first-token-ms {o["first_token_ms"]} " +
                      $"--deltas {o["deltas"]} --delta-gap-ms {o["delta_gap_ms"]}{((int)o["replicas_api"]! > 1 ? $" --replicas-api {o["replicas_api"]}" : "")}" +
                      $"{((int)o["replicas_agent"]! > 1 ? $" --replicas-agent {o["replicas_agent"]}" : "")}`.");
        sb.AppendLine();
        sb.AppendLine("| target | start | phase | completed / N | errors | **beyond the model** (send → first delta − the model's wait) p50 / p99 ms | first token → first delta p50 / p99 ms | send → first delta p50 / p99 s | whole turn p50 / p99 s | peak PostgreSQL connections (ckbench's poller not counted) / max | CPU s (services) | peak RSS MiB | ckbench / machine CPU % |");
        sb.AppendLine("|---|---|---|---:|---|---:|---:|---:|---:|---:|---|---|---:|");
        var notes = new List<string>();
        foreach (var t in doc["targets"]!.AsArray())
        {
            var start = (string?)t!["start"] ?? "warm";
            if (t["error"] is { } failure) sb.AppendLine($"| {t["target"]} | {start} | – | **the run failed**: {Md((string)failure!)} | | | | | | | | | |");
            foreach (var p in t["phases"]!.AsArray())
            {
                var errors = p!["errors"]!.AsObject();
                var errorText = errors.Count == 0 ? "none" : string.Join("; ", errors.Select(e => $"{Md(e.Key)} × {e.Value}"));
                foreach (var (kind, sample) in p["error_samples"]!.AsObject())
                    if (sample is not null) notes.Add($"{t["target"]} {p["phase"]}, {Md(kind)}: `{((string)sample!).Replace("`", "'")}`");
                var usage = p["usage"]!.AsObject();
                var cpu = string.Join(", ", usage.Select(u => $"{u.Key} {F((double)u.Value!["cpu_seconds"]!, 1)}"));
                var rss = string.Join(", ", usage.Select(u => $"{u.Key} {F((double)u.Value!["peak_rss_mi_b"]!)}"));
                var skipped = (int)p["skipped_without_thread"]!;
                var byDb = p["pg_peak_connections_by_db"] as JsonObject;
                var pgText = byDb is null ? "–" : $"{p["pg_peak_connections"]} / {p["pg_max_connections"]}" +
                             (byDb.Count > 0 ? " (" + string.Join(", ", byDb.Select(d => $"{d.Key} {d.Value}")) + ")" : "");
                sb.AppendLine($"| {t["target"]} | {start} | {p["phase"]} | {p["completed"]} / {p["attempted"]}{(skipped > 0 ? $" ({skipped} without a thread)" : "")} | {errorText} | " +
                              $"{P(p["beyond_model_ms"])} | {P(p["first_token_to_first_delta_ms"], 1, 1)} | {P(p["send_to_first_delta_ms"], 1000, 2)} | {P(p["turn_ms"], 1000, 2)} | {pgText} | {cpu} | {rss} | " +
                              $"{F((double)p["client_cpu_percent"]!)} / {F((double)p["machine_cpu_percent"]!)} |");
            }
        }
        if (notes.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("What the failures said (one sample of each kind):");
            sb.AppendLine();
            foreach (var n in notes) sb.AppendLine("- " + n);
        }
        return sb.ToString().TrimEnd();
    }
}
