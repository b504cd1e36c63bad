using System.Diagnostics;

namespace ChatKit.Bench.Common;

/// <summary>Progress lines on the console, stamped with the seconds since ckbench started.</summary>
public static class Log
{
    static readonly Stopwatch Clock = Stopwatch.StartNew();
    public static void Info(string message) => Console.WriteLine($"[{Clock.Elapsed.TotalSeconds,7:F1}s] {message}");
}
