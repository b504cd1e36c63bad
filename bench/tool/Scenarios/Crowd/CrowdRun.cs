using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using ChatKit.Bench.Reports;

namespace ChatKit.Bench.Scenarios.Crowd;

/// <summary>
/// The crowd scenario (bench/README.md): N users, each with its own token and its own connection, all at once start a
/// new thread (`threads.create`, streamed) against a model that takes seconds to answer; then the same N all at once
/// send a follow-up to their thread (`threads.add_user_message`). Ours talks to the fake OpenAI-compatible model on
/// loopback (paced mode); the peers' respond() waits the same. Every stream is read event by event; the model's (or
/// the peer's respond()'s) first text delta is matched to the client's first text delta by the user message text.
/// </summary>
public static class CrowdRun
{
    static readonly string[] Phases = ["create", "followup"];

    public static async Task<int> RunAsync(CrowdOptions o)
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));
        Log.Info($"crowd: {o.Users} users; model: first token {o.FirstTokenMs} ms, {o.Deltas} deltas {o.DeltaGapMs} ms apart; " +
                 $"targets {string.Join(",", o.Targets)}; load average (1 min) {Machine.LoadAvg1():F2}, {Environment.ProcessorCount} cores");
        if (o.BuildOurs && o.Targets.Contains("ours")) await Stack.BuildOursAsync();
        var runId = Guid.NewGuid().ToString("N")[..6];
        var pieces = Enumerable.Range(0, o.Deltas).Select(FakeModel.PacedPiece).ToArray();
        using var fake = new FakeOpenAIServer();
        fake.Use(FakeModel.Paced(o.FirstTokenMs, o.Deltas, o.DeltaGapMs));
        var firstTokens = new FirstTokens(fake);
        await using var stack = await Stack.StartAsync(o.PgMaxConnections);
        var started = DateTime.UtcNow;
        var results = new JsonArray();
        foreach (var name in o.Targets)
        foreach (var start in o.Starts)
        {
            Log.Info($"== {name} ({start})");
            if (name == "ours")
            {
                // As the provider drill does, with the shipped resilience settings (60 s per attempt, 3 min in all).
                stack.UseModel(fake);
                await stack.StartOursAsync(o.ReplicasApi, o.ReplicasAgent);
            }
            else
            {
                await stack.StartPeerAsync(name["peer-".Length..], string.Concat(pieces), pieces.Length, new Dictionary<string, string>
                {
                    ["PEER_PIECES"] = JsonSerializer.Serialize(pieces), ["PEER_FIRST_TOKEN_MS"] = o.FirstTokenMs.ToString(CultureInfo.InvariantCulture),
                    ["PEER_DELTA_GAP_MS"] = o.DeltaGapMs.ToString(CultureInfo.InvariantCulture), ["PEER_MARKS"] = "1",
                });
            }
            var target = stack.Targets[name];
            try
            {
                var result = await RunTarget(stack, fake, firstTokens, target, o, runId + start[0], warmupUsers: start == "warm" ? o.WarmupUsers : 0);
                result["start"] = start;
                results.Add(result);
            }
            catch (Exception e)
            {
                // Reported, not fatal: a target that dies under the crowd is a result; the other targets still run.
                Log.Info($"{name} failed: {e}");
                results.Add(new JsonObject
                {
                    ["target"] = name, ["start"] = start, ["error"] = $"{e.GetType().Name}: {e.Message}",
                    ["processes_alive"] = JsonSerializer.SerializeToNode(target.Processes.ToDictionary(p => p.Name, p => Directory.Exists($"/proc/{p.Pid}"))),
                    ["phases"] = new JsonArray(),
                });
            }
            finally
            {
                if (name == "ours") stack.StopOurs(); else stack.StopPeer(name);
                await WaitForIdleDatabase(stack.Pg);
            }
        }
        var doc = new JsonObject
        {
            ["label"] = o.Label,
            ["started_utc"] = started.ToString("O"),
            ["finished_utc"] = DateTime.UtcNow.ToString("O"),
            ["machine"] = Machine.Describe(),
            ["options"] = JsonSerializer.SerializeToNode(o, Json.Options),
            ["targets"] = results,
        };
        var path = Path.Combine(Paths.Results, $"crowd-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        File.WriteAllText(path, doc.ToJsonString(Json.Options));
        Log.Info($"results: {path}");
        if (!o.NoReport)
        {
            var latest = Path.Combine(Paths.Results, "crowd-latest.json");
            File.Copy(path, latest, overwrite: true);
            // The docs name the run's own file (crowd-latest.json is overwritten by the next run).
            CrowdReport.Write(path);
        }
        return 0;
    }

    static async Task<JsonObject> RunTarget(Stack stack, FakeOpenAIServer fake, FirstTokens firstTokens, Target target, CrowdOptions o, string runId, int warmupUsers)
    {
        var isOurs = target.Name == "ours";
        // Each user has its own HttpClient (its own connection, as each person has their own browser), on the API
        // replica its index picks.
        var uris = target.Uris;
        // The verifying peer checks HS256 session tokens (a ChatKit client secret); ours and the others get Better Auth JWTs.
        string Token(string user) => target.Name == "peer-pg-verify" ? stack.Tokens.MintSession(user) : stack.Tokens.Mint(user);
        CrowdUser NewUser(int i, string prefix) => new(i, Token($"crowd-{runId}-{prefix}-{i}"),
            new HttpClient(new SocketsHttpHandler
            {
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10), ConnectTimeout = TimeSpan.FromSeconds(30),
                AutomaticDecompression = System.Net.DecompressionMethods.None, UseCookies = false,
            }) { BaseAddress = uris[i % uris.Length], Timeout = Timeout.InfiniteTimeSpan });
        var warmPath = isOurs ? "/alive" : "/health";
        await using var poller = await PgPoller.Start(stack.Pg);

        if (warmupUsers > 0)
        {
            Log.Info($"{target.Name}: warm-up, {warmupUsers} users create a thread and send a follow-up (not measured)");
            var warm = Enumerable.Range(0, warmupUsers).Select(i => NewUser(i, "warm")).ToList();
            foreach (var phase in Phases)
            {
                var turns = await Task.WhenAll(warm.Select(u => CrowdTurn.RunAsync(u, phase, $"warm {runId} {phase} user {u.Index}", o.TimeoutS)));
                foreach (var t in turns) warm[t.User].ThreadId ??= t.ThreadId;
                var bad = turns.Where(t => !t.Completed).GroupBy(t => t.Outcome).Select(g => $"{g.Key} × {g.Count()}").ToList();
                Log.Info($"{target.Name}: warm-up {phase}: {turns.Count(t => t.Completed)}/{turns.Length} completed{(bad.Count > 0 ? "; " + string.Join("; ", bad) : "")}");
            }
            foreach (var u in warm) u.Dispose();
            if (!isOurs) await PeerMarks.TakeAsync(target); // forget the warm-up's marks
            firstTokens.Clear();
        }

        var users = Enumerable.Range(0, o.Users).Select(i => NewUser(i, "user")).ToList();
        var phases = new JsonArray();
        try
        {
            foreach (var phase in Phases)
            {
                if (phase != Phases[0] && o.PauseS > 0) await Task.Delay(TimeSpan.FromSeconds(o.PauseS));
                phases.Add(await CrowdPhase.RunAsync(stack, fake, firstTokens, target, o, runId, phase, users, warmPath, poller));
            }
        }
        finally
        {
            foreach (var u in users) u.Dispose();
        }
        return new JsonObject
        {
            ["target"] = target.Name,
            ["replicas_api"] = uris.Length,
            ["replicas_agent"] = isOurs ? o.ReplicasAgent : 1,
            ["processes"] = new JsonArray(target.Processes.Select(p => (JsonNode?)JsonValue.Create(p.Name)).ToArray()),
            ["phases"] = phases,
        };
    }

    /// <summary>Waits until no client is connected to PostgreSQL any more (the stopped target's pools are gone).</summary>
    static async Task WaitForIdleDatabase(BenchPostgres pg)
    {
        for (var i = 0; i < 100; i++)
        {
            try
            {
                var n = await pg.ScalarAsync<long>("postgres",
                    "select count(*) from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()");
                if (n == 0) return;
            }
            catch (NpgsqlException) { }
            await Task.Delay(100);
        }
    }
}
