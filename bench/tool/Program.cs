using System.Runtime.InteropServices;
using ChatKit.Bench;

// ckbench: the benchmark and reliability drills of bench/README.md.
var command = args.FirstOrDefault() ?? "help";
var opts = Args.Parse(args.Skip(1));
try
{
    return command switch
    {
        "run" => await Bench.Run(Args.BenchOptions(opts)),
        "report" => Do(() => Report.Write(opts.GetValueOrDefault("results") ?? Path.Combine(Paths.Results, "bench-latest.json"))),
        "scale" => await Scale.Run(opts),
        "tasks-scale" => await TaskScale.Run(opts),
        "drill" => await Drills.Run(opts.GetValueOrDefault("name") ?? args.Skip(1).FirstOrDefault(a => !a.StartsWith("--")) ?? "all", opts),
        "crowd" => await Crowd.Run(CrowdOptions.Parse(opts)),
        "crowd-report" => Do(() => Crowd.WriteReport(opts.GetValueOrDefault("results") ?? Path.Combine(Paths.Results, "crowd-latest.json"))),
        "fake-openai" => await FakeOpenAi.Serve(opts),
        "up" => await Up(opts),
        _ => Help(),
    };
}
catch (Exception e)
{
    Console.Error.WriteLine("ckbench failed: " + e);
    return 1;
}

static int Do(Action a) { a(); return 0; }

// Starts the stack the way `run` does and keeps it up (for profiling with dotnet-counters / dotnet-trace, or manual checks).
static async Task<int> Up(Dictionary<string, string> opts)
{
    if (!opts.ContainsKey("no-build")) await Stack.BuildOurs();
    await using var stack = await Stack.Start();
    await stack.StartOurs();
    if (opts.ContainsKey("peers")) { await stack.StartPeer("memory", "Scripted answer.", 8); await stack.StartPeer("pg", "Scripted answer.", 8); }
    var token = stack.Tokens.Mint(opts.GetValueOrDefault("user") ?? "bench-user");
    File.WriteAllText(Path.Combine(Paths.Work, "token.txt"), token);
    foreach (var t in stack.Targets.Values) Console.WriteLine($"{t.Name}: {t.BaseUri} pids {string.Join(",", t.Processes.Select(p => p.Name + "=" + p.Pid))}");
    Console.WriteLine($"PostgreSQL: {stack.Pg.ConnectionString("conversationsdb")}");
    Console.WriteLine($"token (bench/work/token.txt): {token}");
    var done = new TaskCompletionSource();
    // Ctrl+C and SIGTERM both end the wait, so that disposing the stack stops the services and PostgreSQL.
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; done.TrySetResult(); };
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; done.TrySetResult(); });
    await Task.WhenAny(done.Task, Task.Delay(TimeSpan.FromSeconds(int.Parse(opts.GetValueOrDefault("seconds") ?? "3600"))));
    return 0;
}

static int Help()
{
    Console.WriteLine("""
        ckbench run    [--targets ours,peer-memory,peer-pg] [--scenarios create,followup,list,items] [--conc 1,8,32]
                       [--duration 10] [--ttfe-duration 6] [--followup-threads 400] [--list-threads 10000] [--items-turns 500]
                       [--no-build] [--label text]
        ckbench scale  [--rows 100,10000,100000] [--duration 5]
        ckbench crowd  [--users 300] [--first-token-ms 2000] [--deltas 10] [--delta-gap-ms 100] [--targets ours,peer-memory,peer-pg,peer-pg-verify]
                       [--starts cold,warm] [--replicas-api 1] [--replicas-agent 1] [--pg-max-connections 100] [--timeout 120] [--warmup-users 16]
                       [--pause 2] [--no-build] [--no-report] [--label text]
        ckbench tasks-scale [--tasks 10,10000] [--turns 200] [--no-build]
        ckbench crowd-report [--results bench/results/crowd-latest.json]
        ckbench drill  pg-stop|agent-kill|provider|fuzz|replica-kill|stall|all [--cases 5000]
                       replica-kill: [--users 200] [--replicas-agent 2] [--turn-lease 5] [--kill-share 0.25] [--kill-after-ms N]
                       [--first-token-ms 2000] [--deltas 10] [--delta-gap-ms 100] [--pg-max-connections 100] [--timeout 120] [--warmup-users 16]
                       stall: [--users 100] [--turn-lease 5] [--first-token-ms 2000] [--deltas 10] [--delta-gap-ms 100] [--timeout 120]
        ckbench report [--results bench/results/bench-latest.json]
        """);
    return 2;
}

static class Args
{
    public static Dictionary<string, string> Parse(IEnumerable<string> args)
    {
        var d = new Dictionary<string, string>();
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            if (!list[i].StartsWith("--")) continue;
            var key = list[i][2..];
            if (key.Contains('=')) { d[key[..key.IndexOf('=')]] = key[(key.IndexOf('=') + 1)..]; continue; }
            d[key] = i + 1 < list.Count && !list[i + 1].StartsWith("--") ? list[++i] : "true";
        }
        return d;
    }

    public static BenchOptions BenchOptions(Dictionary<string, string> a)
    {
        var o = new BenchOptions();
        if (a.TryGetValue("targets", out var t)) o.Targets = t.Split(',');
        if (a.TryGetValue("scenarios", out var s)) o.Scenarios = s.Split(',');
        if (a.TryGetValue("conc", out var c)) o.Concurrency = c.Split(',').Select(int.Parse).ToArray();
        if (a.TryGetValue("duration", out var d)) o.DurationS = int.Parse(d);
        if (a.TryGetValue("ttfe-duration", out var td)) o.TtfeDurationS = int.Parse(td);
        if (a.TryGetValue("warmup", out var wu)) o.WarmupS = int.Parse(wu);
        if (a.TryGetValue("target-warmup", out var tw)) o.TargetWarmupS = int.Parse(tw);
        if (a.TryGetValue("followup-threads", out var ft)) o.FollowupThreads = int.Parse(ft);
        if (a.TryGetValue("followup-turns", out var fu)) o.FollowupTurns = int.Parse(fu);
        if (a.TryGetValue("list-threads", out var lt)) o.ListThreads = int.Parse(lt);
        if (a.TryGetValue("items-turns", out var it)) o.ItemsTurns = int.Parse(it);
        if (a.TryGetValue("create-users", out var cu)) o.CreateUsers = int.Parse(cu);
        if (a.TryGetValue("message", out var m)) o.Message = m;
        if (a.ContainsKey("no-build")) o.BuildOurs = false;
        if (a.ContainsKey("no-report")) o.NoReport = true;
        if (a.TryGetValue("label", out var l)) o.Label = l;
        return o;
    }
}
