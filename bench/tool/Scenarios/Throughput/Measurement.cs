namespace ChatKit.Bench.Scenarios.Throughput;

/// <summary>One target, scenario and concurrency: wrk's throughput, the raw generator's latency and TTFE, and the resources used.</summary>
public sealed record Measurement(
    string Target, string Scenario, int Concurrency, LoadResult Wrk, LoadResult? Raw,
    Dictionary<string, ProcessUsage> Usage, double GeneratorCpuPercent, double RawGeneratorCpuPercent,
    double MachineCpuPercent, double LoadAvgBefore, string? Note);
