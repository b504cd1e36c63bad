using System.Text.Json.Nodes;

namespace ChatKit.Bench.Metrics;

/// <summary>Machine-wide figures: load average, CPU busy share from /proc/stat (to see other work on the box).</summary>
public static class Machine
{
    public static double LoadAvg1() => double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    public static (long Busy, long Total) CpuSnapshot()
    {
        var f = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        var idle = f[3] + f[4];
        var total = f.Take(8).Sum();
        return (total - idle, total);
    }

    /// <summary>Busy share of the whole machine (100% = all cores busy).</summary>
    public static double CpuPercentSince((long Busy, long Total) before)
    {
        var now = CpuSnapshot();
        var total = now.Total - before.Total;
        return total == 0 ? 0 : (now.Busy - before.Busy) * 100.0 / total;
    }

    public static double SelfCpu() => ProcStats.CpuSeconds(Environment.ProcessId);

    /// <summary>CPU time of reaped children (wrk, once it has exited).</summary>
    public static double SelfChildrenCpu()
    {
        var text = File.ReadAllText("/proc/self/stat");
        var rest = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(rest[13]) + long.Parse(rest[14])) / 100.0;
    }

    public static JsonObject Describe() => new()
    {
        ["cores"] = Environment.ProcessorCount,
        ["cpu"] = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"))?.Split(':', 2)[1].Trim(),
        ["mem_gib"] = Math.Round(double.Parse(File.ReadLines("/proc/meminfo").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1048576, 1),
        ["dotnet"] = Environment.Version.ToString(),
        ["load_avg_1m"] = LoadAvg1(),
    };
}
