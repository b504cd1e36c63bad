namespace ChatKit.Bench.Drills;

/// <summary>
/// Options of `ckbench drill NAME` (bench/README.md). Unset values take each drill's own default (`--users`: 200 for
/// replica-kill, 100 for stall), so that `drill all` passes one set of options to every drill.
/// </summary>
public sealed record DrillOptions
{
    public bool Build { get; init; } = true;
    public int? Seconds { get; init; }
    public int? Rounds { get; init; }
    public int? Cases { get; init; }
    public int? Users { get; init; }
    public int? ReplicasAgent { get; init; }
    public int? TurnLease { get; init; }
    public double? KillShare { get; init; }
    public int? KillAfterMs { get; init; }
    public int? FirstTokenMs { get; init; }
    public int? Deltas { get; init; }
    public int? DeltaGapMs { get; init; }
    public int? PgMaxConnections { get; init; }
    public int? Timeout { get; init; }
    public int? WarmupUsers { get; init; }
}
