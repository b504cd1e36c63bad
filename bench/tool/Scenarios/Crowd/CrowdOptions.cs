namespace ChatKit.Bench.Scenarios.Crowd;

/// <summary>Options of `ckbench crowd` (bench/README.md); serialized into the results file as they are.</summary>
public sealed class CrowdOptions
{
    public int Users { get; set; } = 300;
    public int FirstTokenMs { get; set; } = 2000;
    public int Deltas { get; set; } = 10;
    public int DeltaGapMs { get; set; } = 100;
    public string[] Targets { get; set; } = ["ours", "peer-memory", "peer-pg", "peer-pg-verify"];
    public int ReplicasApi { get; set; } = 1;
    public int ReplicasAgent { get; set; } = 1;
    /// <summary>PostgreSQL's stock max_connections; the crowd measures what a default server gives.</summary>
    public int PgMaxConnections { get; set; } = 100;
    /// <summary>A turn with no end of stream by then counts as a timeout.</summary>
    public int TimeoutS { get; set; } = 120;
    /// <summary>Unmeasured turns per target first (JIT, pools): this many users create a thread and send a follow-up.</summary>
    public int WarmupUsers { get; set; } = 16;
    /// <summary>Pause between the two phases.</summary>
    public int PauseS { get; set; } = 2;
    /// <summary>
    /// How each target is started, in turn: "cold" (the first burst right after start, no warm-up: a new replica in the
    /// middle of a burst) and "warm" (after the warm-up users). Each start is a fresh process.
    /// </summary>
    public string[] Starts { get; set; } = ["cold", "warm"];
    public bool BuildOurs { get; set; } = true;
    public bool NoReport { get; set; }
    public string? Label { get; set; }
}
