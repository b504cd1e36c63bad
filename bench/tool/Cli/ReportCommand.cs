using System.CommandLine;
using ChatKit.Bench.Reports;

namespace ChatKit.Bench.Cli;

/// <summary>
/// `ckbench report [bench|crowd|scale|drill] [RESULTS.json]`: renders the docs' sections from a results file, apart from
/// the runs (which call the same reports at their end unless `--no-report`).
/// </summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var results = ResultsOption();
        var command = new Command("report", "re-render docs sections from saved results (bench/results/*.json); without a kind, the run's section of docs/benchmarks.md")
        {
            results,
            Kind("bench", "the generated section of docs/benchmarks.md from a `run` results file", "bench-latest.json", BenchReport.Write),
            Kind("crowd", "the Crowd section of docs/benchmarks.md from a crowd results file", "crowd-latest.json", CrowdReport.Write),
            Kind("scale", "the scale and plans sections of docs/benchmarks.md from a scale results file", "scale-latest.json", ScaleReport.Write),
            Drill(),
        };
        command.SetAction(r => BenchReport.Write(r.GetValue(results) ?? Latest("bench-latest.json")));
        return command;
    }

    /// <summary>`ckbench crowd-report`, as `report crowd` (kept for the command lines of earlier runs).</summary>
    public static Command CrowdReportAlias()
    {
        var results = ResultsOption();
        var command = new Command("crowd-report", "the same as `report crowd`") { results };
        command.Hidden = true;
        command.SetAction(r => CrowdReport.Write(r.GetValue(results) ?? Latest("crowd-latest.json")));
        return command;
    }

    static Command Kind(string name, string description, string latest, Action<string> write)
    {
        var file = new Argument<string?>("results") { Description = $"the results file (default bench/results/{latest})", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command(name, description) { file };
        command.SetAction(r => write(r.GetValue(file) ?? Latest(latest)));
        return command;
    }

    static Command Drill()
    {
        var drill = new Argument<string>("drill") { Description = "a drill's name (bench/results/drill-NAME.json) or a drill results file" };
        var command = new Command("drill", "a drill's section of docs/reliability.md from its results file") { drill };
        command.SetAction(r =>
        {
            var value = r.GetValue(drill)!;
            DrillReport.Write(value.EndsWith(".json", StringComparison.Ordinal) ? value : Latest($"drill-{value}.json"));
        });
        return command;
    }

    static Option<string?> ResultsOption() => new("--results") { Description = "the results file", HelpName = "file" };

    static string Latest(string file) => Path.Combine(Paths.Results, file);
}
