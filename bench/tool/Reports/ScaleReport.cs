using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace ChatKit.Bench.Reports;

/// <summary>Renders a scale results file into the scale and plans sections of docs/benchmarks.md (`ckbench report scale`).</summary>
public static class ScaleReport
{
    public static void Write(string resultsPath)
    {
        var doc = JsonNode.Parse(File.ReadAllText(resultsPath))!.AsObject();
        var started = DateTime.Parse((string)doc["started_utc"]!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
        var docs = Path.Combine(Paths.Docs, "benchmarks.md");
        MarkdownSection.Splice(docs, "<!-- bench:scale:start -->", "<!-- bench:scale:end -->",
            Render(doc["results"]!.AsArray(), started, Path.GetRelativePath(Paths.Repo, resultsPath)));
        if ((string?)doc["plans"] is { } plans) MarkdownSection.Splice(docs, "<!-- bench:plans:start -->", "<!-- bench:plans:end -->", plans);
        Log.Info("docs/benchmarks.md (scale) updated");
    }

    static string Render(JsonArray results, DateTime started, string source)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"Run of {started:yyyy-MM-dd HH:mm} UTC ({source}); ckbench's raw-socket generator, concurrency 1, pages of 20. \"ratio\" is the p50 at the most rows over the p50 at the fewest (target: ≤ 1.5).");
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
