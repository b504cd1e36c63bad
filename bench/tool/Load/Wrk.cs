using System.Diagnostics;

namespace ChatKit.Bench.Load;

/// <summary>Runs wrk (Debian's package) with bench/wrk/chatkit.lua on a request file.</summary>
public static class Wrk
{
    public static async Task<(LoadResult Result, int Pid)> RunAsync(Uri baseUri, string tsv, int connections, TimeSpan duration, Action<int>? started = null)
    {
        var outPath = Path.Combine(Paths.Work, $"wrk-{Guid.NewGuid():N}.json");
        var threads = Math.Min(2, connections);
        var psi = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { $"-t{threads}", $"-c{connections}", $"-d{(int)duration.TotalSeconds}s", "--timeout", "10s",
                     "-s", Path.Combine(Paths.Bench, "wrk", "chatkit.lua"), baseUri.ToString().TrimEnd('/'), "--", tsv, outPath })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("wrk not found: apt-get install wrk");
        started?.Invoke(p.Id);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0 || !File.Exists(outPath)) throw new InvalidOperationException($"wrk failed: {await stdout} {await stderr}");
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(outPath));
        File.Delete(outPath);
        var r = doc.RootElement;
        var l = r.GetProperty("latency_us");
        double Ms(string k) => Math.Round(l.GetProperty(k).GetDouble() / 1000.0, 3);
        return (new LoadResult(r.GetProperty("requests").GetInt64(), r.GetProperty("duration_s").GetDouble(), r.GetProperty("rps").GetDouble(),
            r.GetProperty("ok").GetInt64(), r.GetProperty("bad_status").GetInt64(), r.GetProperty("error_events").GetInt64(),
            r.GetProperty("socket_errors").GetInt64() + r.GetProperty("timeouts").GetInt64(),
            new Percentiles(Ms("p50"), Ms("p95"), Ms("p99"), Ms("max"), Ms("mean")), null), p.Id);
    }
}
