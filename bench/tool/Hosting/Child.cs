using System.Diagnostics;

namespace ChatKit.Bench.Hosting;

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
