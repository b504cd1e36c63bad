using System.CommandLine;
using System.Runtime.InteropServices;
using static ChatKit.Bench.Cli.CliOptions;

namespace ChatKit.Bench.Cli;

/// <summary>`ckbench up`: starts the stack the way `run` does and keeps it up (profiling with dotnet-counters / dotnet-trace, or manual checks).</summary>
public static class UpCommand
{
    public static Command Create()
    {
        var noBuild = NoBuild();
        var peers = Flag("--peers", "start the in-memory and the PostgreSQL peer too");
        var user = new Option<string>("--user") { Description = "the user of the token written to bench/work/token.txt", DefaultValueFactory = _ => "bench-user", HelpName = "id" };
        var seconds = Int("--seconds", 3600, "seconds to stay up");
        var command = new Command("up", "start the stack as `run` does and keep it up until Ctrl+C or SIGTERM, which stop everything it started") { noBuild, peers, user, seconds };
        command.SetAction((r, _) => UpAsync(!r.GetValue(noBuild), r.GetValue(peers), r.GetValue(user)!, r.GetValue(seconds)));
        return command;
    }

    static async Task<int> UpAsync(bool build, bool withPeers, string user, int seconds)
    {
        if (build) await Stack.BuildOursAsync();
        await using var stack = await Stack.StartAsync();
        await stack.StartOursAsync();
        if (withPeers) { await stack.StartPeerAsync("memory", "Scripted answer.", 8); await stack.StartPeerAsync("pg", "Scripted answer.", 8); }
        var token = stack.Tokens.Mint(user);
        File.WriteAllText(Path.Combine(Paths.Work, "token.txt"), token);
        foreach (var t in stack.Targets.Values) Console.WriteLine($"{t.Name}: {t.BaseUri} pids {string.Join(",", t.Processes.Select(p => p.Name + "=" + p.Pid))}");
        Console.WriteLine($"PostgreSQL: {stack.Pg.ConnectionString("conversationsdb")}");
        Console.WriteLine($"token (bench/work/token.txt): {token}");
        var done = new TaskCompletionSource();
        // Ctrl+C and SIGTERM both end the wait, so that disposing the stack stops the services and PostgreSQL.
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; done.TrySetResult(); };
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; done.TrySetResult(); });
        await Task.WhenAny(done.Task, Task.Delay(TimeSpan.FromSeconds(seconds)));
        return 0;
    }
}
