using System.CommandLine;
using ChatKit.Bench.Scenarios.Throughput;
using static ChatKit.Bench.Cli.CliOptions;

namespace ChatKit.Bench.Cli;

/// <summary>`ckbench run`: throughput, latency and time to first event of ours and the peers.</summary>
public static class RunCommand
{
    public static readonly string[] Targets = ["ours", "peer-memory", "peer-pg", "peer-pg-verify"];

    public static Command Create()
    {
        var d = new BenchOptions();
        var targets = List("--targets", d.Targets, "the servers to measure", Targets);
        var scenarios = List("--scenarios", d.Scenarios, "the scenarios to measure", "create", "followup", "list", "items");
        var conc = IntList("--conc", d.Concurrency, "the concurrencies (connections) to measure each scenario at");
        var duration = Int("--duration", d.DurationS, "seconds per wrk run (throughput)");
        var ttfeDuration = Int("--ttfe-duration", d.TtfeDurationS, "seconds of the raw generator's run (latency and time to first event)");
        var warmup = Int("--warmup", d.WarmupS, "seconds of unmeasured wrk before each measurement");
        var targetWarmup = Int("--target-warmup", d.TargetWarmupS, "seconds of unmeasured load per target before its first measurement, split over its scenarios");
        var createUsers = Int("--create-users", d.CreateUsers, "users of the create scenario");
        var followupThreads = Int("--followup-threads", d.FollowupThreads, "threads of the followup scenario");
        var followupTurns = Int("--followup-turns", d.FollowupTurns, "turns seeded into each followup thread (two items each)");
        var listThreads = Int("--list-threads", d.ListThreads, "threads of the list scenario's user");
        var itemsTurns = Int("--items-turns", d.ItemsTurns, "turns seeded into the items scenario's thread");
        var message = new Option<string>("--message") { Description = "the message of every turn", DefaultValueFactory = _ => d.Message, HelpName = "text" };
        var noBuild = NoBuild();
        var noReport = NoReport();
        var label = Label();
        var command = new Command("run", "throughput, latency and time to first event of ours and the peers: every scenario at every concurrency (bench/results/bench-*.json, docs/benchmarks.md)")
        {
            targets, scenarios, conc, duration, ttfeDuration, warmup, targetWarmup, createUsers, followupThreads, followupTurns,
            listThreads, itemsTurns, message, noBuild, noReport, label,
        };
        command.SetAction((r, _) => BenchRun.RunAsync(new BenchOptions
        {
            Targets = r.GetValue(targets)!, Scenarios = r.GetValue(scenarios)!, Concurrency = r.GetValue(conc)!,
            DurationS = r.GetValue(duration), TtfeDurationS = r.GetValue(ttfeDuration), WarmupS = r.GetValue(warmup),
            TargetWarmupS = r.GetValue(targetWarmup), CreateUsers = r.GetValue(createUsers), FollowupThreads = r.GetValue(followupThreads),
            FollowupTurns = r.GetValue(followupTurns), ListThreads = r.GetValue(listThreads), ItemsTurns = r.GetValue(itemsTurns),
            Message = r.GetValue(message)!, BuildOurs = !r.GetValue(noBuild), NoReport = r.GetValue(noReport), Label = r.GetValue(label),
        }));
        return command;
    }
}
