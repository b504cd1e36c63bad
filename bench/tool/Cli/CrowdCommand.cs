using System.CommandLine;
using ChatKit.Bench.Scenarios.Crowd;
using static ChatKit.Bench.Cli.CliOptions;

namespace ChatKit.Bench.Cli;

/// <summary>`ckbench crowd`: N users at once against a slow model, a new thread then a follow-up.</summary>
public static class CrowdCommand
{
    public static Command Create()
    {
        var d = new CrowdOptions();
        var users = Int("--users", d.Users, "users released at once in each phase");
        var firstTokenMs = Int("--first-token-ms", d.FirstTokenMs, "the model's wait before its first text delta");
        var deltas = Int("--deltas", d.Deltas, "text deltas per answer");
        var deltaGapMs = Int("--delta-gap-ms", d.DeltaGapMs, "milliseconds between text deltas");
        var targets = List("--targets", d.Targets, "the servers to measure, each in turn", RunCommand.Targets);
        var starts = List("--starts", d.Starts, "how each target is started: cold (the first burst right after start), warm (after the warm-up users)", "cold", "warm");
        var replicasApi = Int("--replicas-api", d.ReplicasApi, "API replicas of ours (user i on replica i mod N)");
        var replicasAgent = Int("--replicas-agent", d.ReplicasAgent, "agent replicas of ours");
        var pgMaxConnections = Int("--pg-max-connections", d.PgMaxConnections, "PostgreSQL's max_connections");
        var timeout = Int("--timeout", d.TimeoutS, "seconds after which a stream that has not ended counts as a timeout");
        var warmupUsers = Int("--warmup-users", d.WarmupUsers, "users who make a thread and a follow-up, unmeasured, before a warm start");
        var pause = Int("--pause", d.PauseS, "seconds between the create and the followup phase");
        var noBuild = NoBuild();
        var noReport = NoReport();
        var label = Label();
        var command = new Command("crowd", "N users at once start a thread, then send a follow-up, against a model that answers after seconds (bench/results/crowd-*.json, the Crowd section of docs/benchmarks.md)")
        {
            users, firstTokenMs, deltas, deltaGapMs, targets, starts, replicasApi, replicasAgent, pgMaxConnections, timeout, warmupUsers, pause,
            noBuild, noReport, label,
        };
        command.SetAction((r, _) => CrowdRun.RunAsync(new CrowdOptions
        {
            Users = r.GetValue(users), FirstTokenMs = r.GetValue(firstTokenMs), Deltas = Math.Max(1, r.GetValue(deltas)),
            DeltaGapMs = r.GetValue(deltaGapMs), Targets = r.GetValue(targets)!, Starts = r.GetValue(starts)!,
            ReplicasApi = Math.Max(1, r.GetValue(replicasApi)), ReplicasAgent = Math.Max(1, r.GetValue(replicasAgent)),
            PgMaxConnections = r.GetValue(pgMaxConnections), TimeoutS = r.GetValue(timeout), WarmupUsers = r.GetValue(warmupUsers),
            PauseS = r.GetValue(pause), BuildOurs = !r.GetValue(noBuild), NoReport = r.GetValue(noReport), Label = r.GetValue(label),
        }));
        return command;
    }
}
