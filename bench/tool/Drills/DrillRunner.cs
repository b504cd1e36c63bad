using ChatKit.Bench.Drills.Fuzz;
using ChatKit.Bench.Drills.ReplicaKill;
using ChatKit.Bench.Drills.Stall;
using ChatKit.Bench.Reports;

namespace ChatKit.Bench.Drills;

/// <summary>
/// Reliability drills against our stack (loopback only, bounded in time and count). Each writes
/// bench/results/drill-NAME.json and its section of docs/reliability.md.
/// </summary>
public static class DrillRunner
{
    public static readonly string[] Names = ["pg-stop", "agent-kill", "provider", "fuzz", "replica-kill", "stall"];

    public static async Task<int> RunAsync(string name, DrillOptions o)
    {
        if (o.Build) await Stack.BuildOursAsync();
        var names = name == "all" ? Names : [name];
        var failed = 0;
        foreach (var n in names)
        {
            Log.Info($"== drill {n}");
            var result = n switch
            {
                "pg-stop" => await PgStopDrill.RunAsync(o),
                "agent-kill" => await AgentKillDrill.RunAsync(o),
                "provider" => await ProviderDrill.RunAsync(),
                "fuzz" => await FuzzDrill.RunAsync(o),
                "replica-kill" => await ReplicaKillDrill.RunAsync(o),
                "stall" => await StallDrill.RunAsync(o),
                _ => throw new ArgumentException($"unknown drill {n}"),
            };
            result["drill"] = n;
            result["finished_utc"] = DateTime.UtcNow.ToString("O");
            var passed = result["passed"]?.GetValue<bool>() == true;
            if (!passed) failed++;
            var path = Path.Combine(Paths.Results, $"drill-{n}.json");
            File.WriteAllText(path, result.ToJsonString(Json.Options));
            DrillReport.Write(result);
            Log.Info($"drill {n}: {(passed ? "PASSED" : "FAILED")} — {path}");
        }
        return failed == 0 ? 0 : 1;
    }
}
