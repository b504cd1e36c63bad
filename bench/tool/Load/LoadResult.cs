namespace ChatKit.Bench.Load;

/// <summary>What one generator run measured.</summary>
public sealed record LoadResult(
    long Requests, double DurationS, double Rps, long Ok, long BadStatus, long ErrorEvents, long SocketErrors,
    Percentiles LatencyMs, Percentiles? TtfeMs);
