using System.Diagnostics;

namespace ChatKit.Bench.Hosting;

/// <summary>
/// Everything a run needs, started from scratch on loopback: a PostgreSQL cluster, the JWKS server (ChatKit.Testing) with a fresh Ed25519
/// key, our two services (Release build, started directly with environment configuration as in a container) and the
/// Node peers.
/// </summary>
public sealed class Stack : IAsyncDisposable
{
    public required BenchPostgres Pg { get; init; }
    public required BenchTokens Tokens { get; init; }
    public required JwksServer Jwks { get; init; }
    public Child? Agent { get; private set; }
    public Child? Api { get; private set; }
    public int AgentPort { get; private set; }
    public int ApiPort { get; private set; }
    public Dictionary<string, string> AgentEnvExtra { get; } = new();
    /// <summary>Extra configuration for every API replica (a drill's shorter turn lease, say).</summary>
    public Dictionary<string, string> ApiEnvExtra { get; } = new();
    /// <summary>Replicas after the first (crowd scenario, <c>--replicas-api</c> / <c>--replicas-agent</c>).</summary>
    readonly List<Child> extraApis = [], extraAgents = [];
    readonly List<Child> peers = [];
    readonly Dictionary<string, Child> peerByName = [];
    readonly Dictionary<string, Target> targets = [];

    public static async Task<Stack> StartAsync(int pgMaxConnections = 300)
    {
        Log.Info($"starting PostgreSQL (fresh cluster, max_connections={pgMaxConnections})");
        var pg = await BenchPostgres.StartAsync(pgMaxConnections);
        await pg.CreateDatabasesAsync("conversationsdb", "tasksdb", "peerdb");
        var tokens = new BenchTokens();
        var jwks = new JwksServer([tokens.Key]);
        Log.Info($"PostgreSQL on port {pg.Port}; JWKS at {jwks.JwksUrl}");
        return new Stack { Pg = pg, Tokens = tokens, Jwks = jwks };
    }

    public IReadOnlyDictionary<string, Target> Targets => targets;

    /// <summary>Every API replica, in the order of <see cref="Target.Uris"/> (replica-kill drill).</summary>
    public IReadOnlyList<Child> ApiReplicas => Api is null ? [] : [Api, .. extraApis];

    public static async Task BuildOursAsync()
    {
        if (OursDir is not null)
        {
            Log.Info($"running ChatKit.ApiService and ChatKit.Agent as published in {OursDir} (BENCH_OURS_DIR)");
            return;
        }
        Log.Info("publishing ChatKit.ApiService and ChatKit.Agent (Release, linux-x64, as their container images are)");
        foreach (var project in new[] { "ChatKit.Agent", "ChatKit.ApiService" })
        {
            // The images azd builds are `dotnet publish` output for linux-x64, and publish-only settings (ReadyToRun, for
            // one) apply only there: the bench runs the same output, not the build folder.
            var psi = new ProcessStartInfo("dotnet", ["publish", project, "-c", "Release", "-r", "linux-x64", "--self-contained", "false",
                "-o", PublishDir(project), "-nologo", "-v", "q", "-clp:ErrorsOnly"])
            { WorkingDirectory = Paths.Repo, RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            var output = await p.StandardOutput.ReadToEndAsync() + await p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync();
            if (p.ExitCode != 0) throw new InvalidOperationException($"build of {project} failed:\n{output}");
        }
    }

    /// <summary>The agents started after this answer with the fake OpenAI-compatible model instead of the local one.</summary>
    public void UseModel(FakeOpenAIServer fake)
    {
        AgentEnvExtra["Agent__Model__Provider"] = "openai";
        AgentEnvExtra["Agent__Model__BaseUrl"] = fake.BaseUrl;
        AgentEnvExtra["Agent__Model__ApiKey"] = "sk-fake-bench";
        AgentEnvExtra["Agent__Model__Model"] = "fake-model";
    }

    /// <summary>An already published copy of both services to run instead (A/B runs of two builds).</summary>
    static string? OursDir => Environment.GetEnvironmentVariable("BENCH_OURS_DIR");

    // The run's ChatKit session signing key, one for both services (below).
    static readonly string SessionSigningKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    // Each service runs in its publish directory, as in its image (WORKDIR /app): the content root, where its
    // appsettings.json is read from.
    static string PublishDir(string project) => Path.Combine(OursDir ?? Path.Combine(Paths.Work, "publish"), project);

    static string Dll(string project) => Path.Combine(PublishDir(project), project + ".dll");

    // The services run with the GC they ship with (workstation, set in their project files); BENCH_GC_SERVER=1 overrides.
    // BENCH_SERVICE_ENV="NAME=value;NAME2=value" adds settings to both services (A/B runs of a runtime setting);
    // BENCH_API_ENV and BENCH_AGENT_ENV to one of them.
    Dictionary<string, string> CommonEnv(string project, string serviceVariable)
    {
        var env = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Auth__BetterAuth__JwksUrl"] = Jwks.JwksUrl,
            ["Auth__BetterAuth__Issuer"] = BenchTokens.Issuer,
            ["Auth__BetterAuth__Audience"] = BenchTokens.Audience,
            // One session key for both services, as the AppHost gives them: a session token the API mints (its
            // warm-up's) is accepted by the agent.
            ["ChatKit__SessionSigningKey"] = SessionSigningKey,
        };
        foreach (var (name, value) in ImageEnvironment(project)) env[name] = value;
        if (Environment.GetEnvironmentVariable("BENCH_GC_SERVER") is { } server) env["DOTNET_gcServer"] = server;
        var settings = $"{Environment.GetEnvironmentVariable("BENCH_SERVICE_ENV")};{Environment.GetEnvironmentVariable(serviceVariable)}";
        foreach (var setting in settings.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            if (setting.Split('=', 2) is [var name, var value]) env[name.Trim()] = value;
        }
        return env;
    }

    /// <summary>
    /// The environment variables the project puts in its container image (<c>ContainerEnvironmentVariable</c> items),
    /// read from the repository's project file: runtime settings that only the environment can carry.
    /// </summary>
    static IEnumerable<(string Name, string Value)> ImageEnvironment(string project) =>
        System.Xml.Linq.XDocument.Load(Path.Combine(Paths.Repo, project, project + ".csproj"))
            .Descendants("ContainerEnvironmentVariable")
            .Select(item => ((string?)item.Attribute("Include") ?? "", (string?)item.Attribute("Value") ?? ""))
            .Where(item => item.Item1.Length > 0);

    Dictionary<string, string> AgentEnv()
    {
        var env = CommonEnv("ChatKit.Agent", "BENCH_AGENT_ENV");
        env["ConnectionStrings__tasksdb"] = Pg.ConnectionString("tasksdb");
        foreach (var (k, v) in AgentEnvExtra) env[k] = v;
        return env;
    }

    public async Task StartAgentAsync()
    {
        AgentPort = AgentPort == 0 ? Net.FreePort() : AgentPort;
        Agent = Child.Start("agent", "dotnet", [Dll("ChatKit.Agent"), "--urls", $"http://127.0.0.1:{AgentPort}"], AgentEnv(),
            cwd: PublishDir("ChatKit.Agent"));
        await Net.WaitHttpOkAsync($"http://127.0.0.1:{AgentPort}/health", TimeSpan.FromSeconds(60), () => Agent.Alive);
    }

    /// <summary>
    /// Starts the agent, then the API. With replicas (crowd scenario) it starts more agents and APIs on their own ports;
    /// every API gets every agent's URL (service discovery spreads its calls over them), its own first.
    /// </summary>
    public async Task StartOursAsync(int apiReplicas = 1, int agentReplicas = 1)
    {
        await StartAgentAsync();
        var agentUrls = new List<string> { $"http://127.0.0.1:{AgentPort}" };
        for (var i = 1; i < agentReplicas; i++)
        {
            var port = Net.FreePort();
            var agent = Child.Start($"agent-{i + 1}", "dotnet", [Dll("ChatKit.Agent"), "--urls", $"http://127.0.0.1:{port}"], AgentEnv(),
                cwd: PublishDir("ChatKit.Agent"));
            extraAgents.Add(agent);
            await Net.WaitHttpOkAsync($"http://127.0.0.1:{port}/health", TimeSpan.FromSeconds(60), () => agent.Alive);
            agentUrls.Add($"http://127.0.0.1:{port}");
        }
        var apiUris = new List<Uri>();
        for (var i = 0; i < apiReplicas; i++)
        {
            var port = Net.FreePort();
            var env = CommonEnv("ChatKit.ApiService", "BENCH_API_ENV");
            env["ConnectionStrings__conversationsdb"] = Pg.ConnectionString("conversationsdb");
            var first = i % agentUrls.Count;
            for (var k = 0; k < agentUrls.Count; k++) env[$"services__agent__http__{k}"] = agentUrls[(first + k) % agentUrls.Count];
            // The per-user write limit (100 per 10 s) would measure the rate limiter, not the server: the load comes from a
            // few dozen bench users at thousands of requests a second. Raised for the bench only (documented in bench/README.md).
            env["RateLimits__Writes__PermitLimit"] = Environment.GetEnvironmentVariable("BENCH_WRITE_LIMIT") ?? "100000000";
            // Likewise the per-user cap on turns in flight (4): the instant-turn scenarios run up to 32 at once from 20
            // users. The crowd has one turn per user, so it is the same there.
            env["ChatKit__Conversations__MaxTurnsPerUser"] = Environment.GetEnvironmentVariable("BENCH_TURNS_PER_USER") ?? "1000";
            foreach (var (k, v) in ApiEnvExtra) env[k] = v;
            var api = Child.Start(i == 0 ? "api" : $"api-{i + 1}", "dotnet", [Dll("ChatKit.ApiService"), "--urls", $"http://127.0.0.1:{port}"], env,
                cwd: PublishDir("ChatKit.ApiService"));
            if (i == 0) { Api = api; ApiPort = port; } else extraApis.Add(api);
            await Net.WaitHttpOkAsync($"http://127.0.0.1:{port}/health", TimeSpan.FromSeconds(60), () => api.Alive);
            apiUris.Add(new Uri($"http://127.0.0.1:{port}"));
        }
        var procs = new List<(string, int, bool)> { ("api", Api!.Pid, false) };
        procs.AddRange(extraApis.Select(a => (a.Name, a.Pid, false)));
        procs.Add(("agent", Agent!.Pid, false));
        procs.AddRange(extraAgents.Select(a => (a.Name, a.Pid, false)));
        procs.Add(("postgres", Pg.Server.Pid, true));
        targets["ours"] = new Target("ours", apiUris[0], [.. procs], apiUris.Count > 1 ? [.. apiUris] : null);
        Log.Info($"ours: API on {string.Join(", ", apiUris.Select(u => u.Port))}, agent on {string.Join(", ", agentUrls.Select(u => new Uri(u).Port))}");
    }

    /// <summary>Stops our services (every replica), so that the next target has PostgreSQL to itself.</summary>
    public void StopOurs()
    {
        foreach (var c in extraApis.Concat(extraAgents)) c.Dispose();
        extraApis.Clear(); extraAgents.Clear();
        Api?.Dispose(); Api = null;
        Agent?.Dispose(); Agent = null;
        AgentPort = 0;
        targets.Remove("ours");
    }

    /// <summary>Restarts the agent on the same port (drills).</summary>
    public Task RestartAgentAsync() => StartAgentAsync();

    /// <summary>
    /// Starts a peer: "memory" or "pg", or "pg-verify" (the PostgreSQL store that also checks an HS256 session token on
    /// every request and loads the thread's last 40 items before answering, as a real integration's respond() must).
    /// </summary>
    public async Task StartPeerAsync(string kind, string answer, int chunks, IDictionary<string, string>? extraEnv = null)
    {
        var port = Net.FreePort();
        var name = "peer-" + kind;
        var store = kind == "pg-verify" ? "pg" : kind;
        var env = new Dictionary<string, string>
        {
            ["PORT"] = port.ToString(), ["PEER_STORE"] = store, ["PEER_ANSWER"] = answer, ["PEER_CHUNKS"] = chunks.ToString(),
            ["PEER_PG_URL"] = Pg.Url("peerdb"), ["NODE_ENV"] = "production",
        };
        if (kind == "pg-verify")
        {
            env["PEER_SECRET"] = Tokens.SessionSecret;
            env["PEER_HISTORY"] = "40";
        }
        if (extraEnv is not null) foreach (var (k, v) in extraEnv) env[k] = v;
        var peer = Child.Start(name, "node", ["server.mjs"], env, cwd: Path.Combine(Paths.Bench, "peer"));
        peers.Add(peer);
        peerByName[name] = peer;
        await Net.WaitHttpOkAsync($"http://127.0.0.1:{port}/health", TimeSpan.FromSeconds(30), () => peer.Alive);
        var procs = new List<(string, int, bool)> { ("node", peer.Pid, false) };
        if (store == "pg") procs.Add(("postgres", Pg.Server.Pid, true));
        targets[name] = new Target(name, new Uri($"http://127.0.0.1:{port}"), [.. procs]);
        Log.Info($"{name} on {port}");
    }

    /// <summary>Stops a peer ("peer-memory" or "peer-pg").</summary>
    public void StopPeer(string name)
    {
        if (peerByName.Remove(name, out var peer)) { peer.Dispose(); peers.Remove(peer); }
        targets.Remove(name);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in peers) p.Dispose();
        foreach (var c in extraApis.Concat(extraAgents)) c.Dispose();
        Api?.Dispose();
        Agent?.Dispose();
        Jwks.Dispose();
        await Pg.DisposeAsync();
    }
}
