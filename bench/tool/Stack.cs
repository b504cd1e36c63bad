using System.Diagnostics;

namespace ChatKit.Bench;

/// <summary>A server under test: its base URL and the processes whose CPU and memory count for it.</summary>
public sealed record Target(string Name, Uri BaseUri, (string Name, int Pid, bool Tree)[] Processes);

/// <summary>
/// Everything a run needs, started from scratch on loopback: a PostgreSQL cluster, the JWKS host with a fresh Ed25519
/// key, our two services (Release build, started directly with environment configuration as in a container) and the
/// Node peers.
/// </summary>
public sealed class Stack : IAsyncDisposable
{
    public required PgCluster Pg { get; init; }
    public required TokenIssuer Tokens { get; init; }
    public required JwksHost Jwks { get; init; }
    public Child? Agent { get; private set; }
    public Child? Api { get; private set; }
    public int AgentPort { get; private set; }
    public int ApiPort { get; private set; }
    public Dictionary<string, string> AgentEnvExtra { get; } = new();
    readonly List<Child> peers = [];
    readonly Dictionary<string, Target> targets = [];

    public static async Task<Stack> Start()
    {
        Log.Info("starting PostgreSQL (fresh cluster)");
        var pg = await PgCluster.Create("run");
        await pg.CreateDatabases("conversationsdb", "tasksdb", "peerdb");
        var tokens = new TokenIssuer();
        var jwks = await JwksHost.Start(tokens);
        Log.Info($"PostgreSQL on port {pg.Port}; JWKS at {jwks.JwksUrl}");
        return new Stack { Pg = pg, Tokens = tokens, Jwks = jwks };
    }

    public IReadOnlyDictionary<string, Target> Targets => targets;

    public static async Task BuildOurs()
    {
        Log.Info("building ChatKit.ApiService and ChatKit.Agent (Release)");
        foreach (var project in new[] { "ChatKit.Agent", "ChatKit.ApiService" })
        {
            var psi = new ProcessStartInfo("dotnet", ["build", project, "-c", "Release", "-nologo", "-v", "q", "-clp:ErrorsOnly"])
            { WorkingDirectory = Paths.Repo, RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            var output = await p.StandardOutput.ReadToEndAsync() + await p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync();
            if (p.ExitCode != 0) throw new InvalidOperationException($"build of {project} failed:\n{output}");
        }
    }

    static string Dll(string project) => Path.Combine(Paths.Repo, project, "bin", "Release", "net10.0", project + ".dll");

    // The services run with the GC they ship with (workstation, set in their project files); BENCH_GC_SERVER=1 overrides.
    Dictionary<string, string> CommonEnv()
    {
        var env = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Auth__BetterAuth__JwksUrl"] = Jwks.JwksUrl,
            ["Auth__BetterAuth__Issuer"] = TokenIssuer.Issuer,
            ["Auth__BetterAuth__Audience"] = TokenIssuer.Audience,
            ["Logging__LogLevel__Default"] = "Warning",
        };
        if (Environment.GetEnvironmentVariable("BENCH_GC_SERVER") is { } server) env["DOTNET_gcServer"] = server;
        return env;
    }

    public async Task StartAgent()
    {
        AgentPort = AgentPort == 0 ? Net.FreePort() : AgentPort;
        var env = CommonEnv();
        env["ConnectionStrings__tasksdb"] = Pg.ConnectionString("tasksdb");
        foreach (var (k, v) in AgentEnvExtra) env[k] = v;
        Agent = Child.Start("agent", "dotnet", [Dll("ChatKit.Agent"), "--urls", $"http://127.0.0.1:{AgentPort}"], env);
        await Net.WaitHttpOk($"http://127.0.0.1:{AgentPort}/health", TimeSpan.FromSeconds(60), () => Agent.Alive);
    }

    public async Task StartOurs()
    {
        await StartAgent();
        ApiPort = Net.FreePort();
        var env = CommonEnv();
        env["ConnectionStrings__conversationsdb"] = Pg.ConnectionString("conversationsdb");
        env["services__agent__http__0"] = $"http://127.0.0.1:{AgentPort}";
        // The per-user write limit (100 per 10 s) would measure the rate limiter, not the server: the load comes from a
        // few dozen bench users at thousands of requests a second. Raised for the bench only (documented in bench/README.md).
        env["RateLimits__Writes__PermitLimit"] = Environment.GetEnvironmentVariable("BENCH_WRITE_LIMIT") ?? "100000000";
        Api = Child.Start("api", "dotnet", [Dll("ChatKit.ApiService"), "--urls", $"http://127.0.0.1:{ApiPort}"], env);
        await Net.WaitHttpOk($"http://127.0.0.1:{ApiPort}/health", TimeSpan.FromSeconds(60), () => Api.Alive);
        targets["ours"] = new Target("ours", new Uri($"http://127.0.0.1:{ApiPort}"),
            [("api", Api.Pid, false), ("agent", Agent!.Pid, false), ("postgres", Pg.Pid, true)]);
        Log.Info($"ours: API on {ApiPort}, agent on {AgentPort}");
    }

    /// <summary>Restarts the agent on the same port (drills).</summary>
    public Task RestartAgent() => StartAgent();

    public async Task StartPeer(string store, string answer, int chunks)
    {
        var port = Net.FreePort();
        var name = "peer-" + store;
        var env = new Dictionary<string, string>
        {
            ["PORT"] = port.ToString(), ["PEER_STORE"] = store, ["PEER_ANSWER"] = answer, ["PEER_CHUNKS"] = chunks.ToString(),
            ["PEER_PG_URL"] = Pg.Url("peerdb"), ["NODE_ENV"] = "production",
        };
        var peer = Child.Start(name, "node", ["server.mjs"], env, cwd: Path.Combine(Paths.Bench, "peer"));
        peers.Add(peer);
        await Net.WaitHttpOk($"http://127.0.0.1:{port}/health", TimeSpan.FromSeconds(30), () => peer.Alive);
        var procs = new List<(string, int, bool)> { ("node", peer.Pid, false) };
        if (store == "pg") procs.Add(("postgres", Pg.Pid, true));
        targets[name] = new Target(name, new Uri($"http://127.0.0.1:{port}"), [.. procs]);
        Log.Info($"{name} on {port}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in peers) p.Dispose();
        Api?.Dispose();
        Agent?.Dispose();
        await Jwks.DisposeAsync();
        if (Environment.GetEnvironmentVariable("BENCH_KEEP_PG") != "1") Pg.Dispose(); else Pg.Stop();
    }
}
