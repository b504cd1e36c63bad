using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ChatKit.Bench;

/// <summary>Where things are: the repository root (the folder with ChatKit.Aspire.sln) and bench/work for scratch files.</summary>
public static class Paths
{
    public static string Repo { get; } = FindRepo();
    public static string Bench => Path.Combine(Repo, "bench");
    public static string Work => Directory.CreateDirectory(Path.Combine(Bench, "work")).FullName;
    public static string Results => Directory.CreateDirectory(Path.Combine(Bench, "results")).FullName;
    public static string Docs => Path.Combine(Repo, "docs");

    static string FindRepo()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ChatKit.Aspire.sln"))) return dir.FullName;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ChatKit.Aspire.sln"))) return dir.FullName;
        throw new InvalidOperationException("Run ckbench from inside the repository (no ChatKit.Aspire.sln found).");
    }
}

/// <summary>
/// Wall-clock time in milliseconds since the Unix epoch (CLOCK_REALTIME, sub-millisecond), the clock every process of
/// the crowd scenario stamps with: ckbench (client and fake model) and the Node peers (performance.timeOrigin + now()).
/// </summary>
public static class Clock
{
    public static double NowMs() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / (double)TimeSpan.TicksPerMillisecond;
}

public static class Log
{
    static readonly Stopwatch Clock = Stopwatch.StartNew();
    public static void Info(string message) => Console.WriteLine($"[{Clock.Elapsed.TotalSeconds,7:F1}s] {message}");
}

public static class Net
{
    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public static async Task WaitHttpOk(string url, TimeSpan timeout, Func<bool>? stillAlive = null)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            if (stillAlive is not null && !stillAlive()) throw new InvalidOperationException($"process died before {url} answered");
            try
            {
                using var r = await http.GetAsync(url);
                if (r.IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{url} did not answer 200 within {timeout.TotalSeconds} s");
    }
}

/// <summary>A child process with its output going to a log file under bench/work/logs.</summary>
public sealed class Child : IDisposable
{
    readonly Process process;
    readonly StreamWriter log;
    public string Name { get; }
    public int Pid => process.Id;
    public bool Alive => !process.HasExited;
    public string LogPath { get; }

    Child(string name, Process process, StreamWriter log, string logPath)
    {
        Name = name; this.process = process; this.log = log; LogPath = logPath;
    }

    public static Child Start(string name, string file, IEnumerable<string> args, IDictionary<string, string>? env = null, string? cwd = null)
    {
        var logDir = Directory.CreateDirectory(Path.Combine(Paths.Work, "logs")).FullName;
        var logPath = Path.Combine(logDir, name + ".log");
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = cwd ?? Paths.Repo,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        // Keep the child's environment clean of our own hosting variables.
        psi.Environment.Remove("ASPNETCORE_URLS");
        psi.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var w = new StreamWriter(logPath, append: true) { AutoFlush = true };
        lock (w) w.WriteLine($"--- {DateTime.UtcNow:O} {file} {string.Join(' ', args)}");
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (w) w.WriteLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (w) w.WriteLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return new Child(name, p, w, logPath);
    }

    /// <summary>SIGTERM (or the given signal), then SIGKILL after the grace period.</summary>
    public void Stop(int signal = 15, int graceMs = 5000)
    {
        if (process.HasExited) return;
        Signal(signal);
        if (!process.WaitForExit(graceMs)) { try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } }
        process.WaitForExit(2000);
    }

    public void Signal(int signal) => Syscall.Kill(process.Id, signal);

    public void Kill()
    {
        if (process.HasExited) return;
        try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        process.WaitForExit(3000);
    }

    public void Dispose()
    {
        Stop();
        process.Dispose();
        lock (log) log.Dispose();
    }
}

static class Syscall
{
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int SysKill(int pid, int sig);
    public static void Kill(int pid, int sig) => SysKill(pid, sig);
}

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

/// <summary>Samples resident memory of a set of processes while a measurement runs, and takes CPU deltas.</summary>
public sealed class ResourceMeter : IAsyncDisposable
{
    readonly (string Name, int Pid, bool Tree)[] procs;
    readonly double[] cpuStart;
    readonly double[] peak;
    readonly CancellationTokenSource stop = new();
    readonly Task sampler;
    readonly Stopwatch wall = Stopwatch.StartNew();

    public ResourceMeter(IEnumerable<(string Name, int Pid, bool Tree)> processes)
    {
        procs = processes.ToArray();
        cpuStart = procs.Select(p => ProcStats.CpuSeconds(p.Pid, p.Tree)).ToArray();
        peak = new double[procs.Length];
        sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                for (var i = 0; i < procs.Length; i++) peak[i] = Math.Max(peak[i], ProcStats.RssMiB(procs[i].Pid, procs[i].Tree));
                try { await Task.Delay(250, stop.Token); } catch (OperationCanceledException) { }
            }
        });
    }

    public Dictionary<string, ProcessUsage> Finish()
    {
        stop.Cancel();
        sampler.Wait();
        var seconds = wall.Elapsed.TotalSeconds;
        var result = new Dictionary<string, ProcessUsage>();
        for (var i = 0; i < procs.Length; i++)
        {
            var cpu = ProcStats.CpuSeconds(procs[i].Pid, procs[i].Tree) - cpuStart[i];
            result[procs[i].Name] = new ProcessUsage(Math.Round(cpu, 2), Math.Round(cpu / seconds * 100, 1), Math.Round(peak[i], 1));
        }
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        stop.Cancel();
        await sampler;
    }
}

public sealed record ProcessUsage(double CpuSeconds, double CpuPercent, double PeakRssMiB);

public static class Text
{
    public static readonly UTF8Encoding Utf8 = new(false);
}
