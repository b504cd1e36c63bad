using System.CommandLine;
using ChatKit.Bench.Scenarios.Scale;
using static ChatKit.Bench.Cli.CliOptions;

namespace ChatKit.Bench.Cli;

/// <summary>`ckbench scale` and `ckbench tasks-scale`: how the costs grow with the rows a user has.</summary>
public static class ScaleCommands
{
    public static Command Scale()
    {
        var rows = IntList("--rows", [100, 10_000, 100_000], "rows per user (threads, and items in one thread)");
        var targets = List("--targets", ["ours", "peer-pg"], "the servers to measure", "ours", "peer-pg");
        var duration = Int("--duration", 5, "seconds of the raw generator per case");
        var noBuild = NoBuild();
        var command = new Command("scale", "threads.list and items.list latency at each row count, with query plans (bench/results/scale-latest.json, docs/benchmarks.md)")
        {
            rows, targets, duration, noBuild,
        };
        command.SetAction((r, _) => ScaleRun.RunAsync(r.GetValue(rows)!, r.GetValue(targets)!, r.GetValue(duration), !r.GetValue(noBuild)));
        return command;
    }

    public static Command TasksScale()
    {
        var tasks = IntList("--tasks", [10, 10_000], "tasks per user");
        var turns = Int("--turns", 200, "measured turns per size");
        var noBuild = NoBuild();
        var command = new Command("tasks-scale", "one \"what's on my list?\" turn at a time for users with few and many tasks: latency and CPU per turn (bench/results/tasks-scale-*.json)")
        {
            tasks, turns, noBuild,
        };
        command.SetAction((r, _) => TaskScaleRun.RunAsync(r.GetValue(tasks)!, r.GetValue(turns), !r.GetValue(noBuild)));
        return command;
    }
}
