using System.Diagnostics;

namespace ChatKit.Bench.Load;

public sealed record Percentiles(double P50, double P95, double P99, double Max, double Mean)
{
    public static Percentiles Of(List<long> ticks)
    {
        if (ticks.Count == 0) return new(0, 0, 0, 0, 0);
        ticks.Sort();
        double Ms(long t) => Math.Round(t * 1000.0 / Stopwatch.Frequency, 3);
        double At(double q) => Ms(ticks[Math.Min(ticks.Count - 1, (int)Math.Ceiling(q * ticks.Count) - 1)]);
        return new(At(0.50), At(0.95), At(0.99), Ms(ticks[^1]), Math.Round(ticks.Average() * 1000.0 / Stopwatch.Frequency, 3));
    }
}
