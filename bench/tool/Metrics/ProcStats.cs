namespace ChatKit.Bench.Metrics;

/// <summary>Reads CPU time and memory of processes from /proc.</summary>
public static class ProcStats
{
    static readonly double TicksPerSecond = 100.0; // USER_HZ on Linux

    /// <summary>utime+stime of the process, plus (with children) its reaped children and its live descendants, in seconds.</summary>
    public static double CpuSeconds(int pid, bool withChildren = false)
    {
        if (!withChildren) return Stat(pid) is { } own ? (own[11] + own[12]) / TicksPerSecond : 0;
        // One pass over /proc for the whole tree (PostgreSQL under the crowd has a hundred backends).
        var all = AllStats();
        if (!all.TryGetValue(pid, out var s)) return 0;
        double ticks = s[11] + s[12] + s[13] + s[14];
        foreach (var d in Descendants(pid, all)) ticks += all[d][11] + all[d][12] + all[d][13] + all[d][14];
        return ticks / TicksPerSecond;
    }

    /// <summary>Resident memory in MiB; with children, summed over the live descendants (PostgreSQL's shared buffers count more than once).</summary>
    public static double RssMiB(int pid, bool withChildren = false)
    {
        double kb = StatusKb(pid, "VmRSS:");
        if (withChildren) foreach (var d in Descendants(pid, AllStats())) kb += StatusKb(d, "VmRSS:");
        return kb / 1024;
    }

    public static double PeakRssMiB(int pid) => StatusKb(pid, "VmHWM:") / 1024;

    static double StatusKb(int pid, string key)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith(key, StringComparison.Ordinal))
                    return double.Parse(line[key.Length..].Trim().Split(' ')[0]);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return 0;
    }

    /// <summary>Fields after the command name: index 0 = state, 1 = ppid, 11 = utime, 12 = stime, 13 = cutime, 14 = cstime.</summary>
    static long[]? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            var rest = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            var values = new long[rest.Length];
            for (var i = 1; i < rest.Length; i++) long.TryParse(rest[i], out values[i]);
            return values;
        }
        catch (IOException) { return null; }
    }

    /// <summary>The stat fields of every live process, in one pass over /proc.</summary>
    static Dictionary<int, long[]> AllStats()
    {
        var all = new Dictionary<int, long[]>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
            if (int.TryParse(Path.GetFileName(dir), out var p) && Stat(p) is { } s) all[p] = s;
        return all;
    }

    /// <summary>The process and every live descendant (to freeze or resume a whole service with SIGSTOP / SIGCONT).</summary>
    public static List<int> Tree(int pid) => [pid, .. Descendants(pid, AllStats())];

    static List<int> Descendants(int pid, Dictionary<int, long[]> all)
    {
        var children = all.ToLookup(kv => (int)kv.Value[1], kv => kv.Key);
        var result = new List<int>();
        var queue = new Queue<int>([pid]);
        while (queue.Count > 0)
            foreach (var c in children[queue.Dequeue()]) { result.Add(c); queue.Enqueue(c); }
        return result;
    }
}
