namespace ChatKit.Bench.Common;

/// <summary>
/// Wall-clock time in milliseconds since the Unix epoch (CLOCK_REALTIME, sub-millisecond), the clock every process of
/// the crowd scenario stamps with: ckbench (client and fake model) and the Node peers (performance.timeOrigin + now()).
/// </summary>
public static class Clock
{
    public static double NowMs() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / (double)TimeSpan.TicksPerMillisecond;
}
