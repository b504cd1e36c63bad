namespace ChatKit.Bench.Metrics;

/// <summary>CPU and peak memory of one process (or process tree) during a measurement.</summary>
public sealed record ProcessUsage(double CpuSeconds, double CpuPercent, double PeakRssMiB);
