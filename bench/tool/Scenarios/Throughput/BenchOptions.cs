namespace ChatKit.Bench.Scenarios.Throughput;

/// <summary>Options of `ckbench run` (bench/README.md); serialized into the results file as they are.</summary>
public sealed class BenchOptions
{
    public string[] Targets { get; set; } = ["ours", "peer-memory", "peer-pg", "peer-pg-verify"];
    public string[] Scenarios { get; set; } = ["create", "followup", "list", "items"];
    public int[] Concurrency { get; set; } = [1, 8, 32];
    public int DurationS { get; set; } = 10;
    public int TtfeDurationS { get; set; } = 6;
    public int WarmupS { get; set; } = 2;
    /// <summary>
    /// Unmeasured load per target before its first measurement, split over its scenarios at concurrency 8. The .NET
    /// services keep JIT-compiling to their final tier for about a minute under load (dotnet-counters: 3,200-6,800
    /// methods in the first 10 s, still 100-230 per 10 s in the 40 s after), and Node's JIT warms up too; every target gets the same.
    /// </summary>
    public int TargetWarmupS { get; set; } = 60;
    public int CreateUsers { get; set; } = 64;
    public int FollowupThreads { get; set; } = 400;
    public int FollowupTurns { get; set; } = 25; // 25 turns = 50 items (a user and an assistant message each)
    public int ListThreads { get; set; } = 10_000;
    public int ItemsTurns { get; set; } = 500;
    public string Message { get; set; } = "add buy milk";
    public bool BuildOurs { get; set; } = true;
    /// <summary>Side runs (A/B checks): keep bench-latest.json and docs/benchmarks.md as they are.</summary>
    public bool NoReport { get; set; }
    public string? Label { get; set; }
}
