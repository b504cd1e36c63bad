using System.Diagnostics;

namespace ChatKit.Bench.Metrics;

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
