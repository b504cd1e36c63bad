using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace ChatKit.Bench;

public sealed class CrowdOptions
{
    public int Users { get; set; } = 300;
    public int FirstTokenMs { get; set; } = 2000;
    public int Deltas { get; set; } = 10;
    public int DeltaGapMs { get; set; } = 100;
    public string[] Targets { get; set; } = ["ours", "peer-memory", "peer-pg", "peer-pg-verify"];
    public int ReplicasApi { get; set; } = 1;
    public int ReplicasAgent { get; set; } = 1;
    /// <summary>PostgreSQL's stock max_connections; the crowd measures what a default server gives.</summary>
    public int PgMaxConnections { get; set; } = 100;
    /// <summary>A turn with no end of stream by then counts as a timeout.</summary>
    public int TimeoutS { get; set; } = 120;
    /// <summary>Unmeasured turns per target first (JIT, pools): this many users create a thread and send a follow-up.</summary>
    public int WarmupUsers { get; set; } = 16;
    /// <summary>Pause between the two phases.</summary>
    public int PauseS { get; set; } = 2;
    /// <summary>
    /// How each target is started, in turn: "cold" (the first burst right after start, no warm-up: a new replica in the
    /// middle of a burst) and "warm" (after the warm-up users). Each start is a fresh process.
    /// </summary>
    public string[] Starts { get; set; } = ["cold", "warm"];
    public bool BuildOurs { get; set; } = true;
    public bool NoReport { get; set; }
    public string? Label { get; set; }

    public static CrowdOptions Parse(Dictionary<string, string> a)
    {
        var o = new CrowdOptions();
        int I(string k, int d) => a.TryGetValue(k, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : d;
        o.Users = I("users", o.Users);
        o.FirstTokenMs = I("first-token-ms", o.FirstTokenMs);
        o.Deltas = Math.Max(1, I("deltas", o.Deltas));
        o.DeltaGapMs = I("delta-gap-ms", o.DeltaGapMs);
        if (a.TryGetValue("targets", out var t)) o.Targets = t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        o.ReplicasApi = Math.Max(1, I("replicas-api", o.ReplicasApi));
        o.ReplicasAgent = Math.Max(1, I("replicas-agent", o.ReplicasAgent));
        o.PgMaxConnections = I("pg-max-connections", o.PgMaxConnections);
        o.TimeoutS = I("timeout", o.TimeoutS);
        o.WarmupUsers = I("warmup-users", o.WarmupUsers);
        o.PauseS = I("pause", o.PauseS);
        if (a.TryGetValue("starts", out var st)) o.Starts = st.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var start in o.Starts)
            if (start is not ("cold" or "warm")) throw new ArgumentException($"unknown start {start} (cold, warm)");
        if (a.ContainsKey("no-build")) o.BuildOurs = false;
        if (a.ContainsKey("no-report")) o.NoReport = true;
        if (a.TryGetValue("label", out var l)) o.Label = l;
        foreach (var target in o.Targets)
            if (target is not ("ours" or "peer-memory" or "peer-pg" or "peer-pg-verify"))
                throw new ArgumentException($"unknown target {target} (ours, peer-memory, peer-pg, peer-pg-verify)");
        return o;
    }
}

/// <summary>
/// The crowd scenario (bench/README.md): N users, each with its own token and its own connection, all at once start a
/// new thread (`threads.create`, streamed) against a model that takes seconds to answer; then the same N all at once
/// send a follow-up to their thread (`threads.add_user_message`). Ours talks to the fake OpenAI-compatible model on
/// loopback (paced mode); the peers' respond() waits the same. Every stream is read event by event; the model's (or
/// the peer's respond()'s) first text delta is matched to the client's first text delta by the user message text.
/// </summary>
public static class Crowd
{
    static readonly string[] Phases = ["create", "followup"];

    public static async Task<int> Run(CrowdOptions o)
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));
        Log.Info($"crowd: {o.Users} users; model: first token {o.FirstTokenMs} ms, {o.Deltas} deltas {o.DeltaGapMs} ms apart; " +
                 $"targets {string.Join(",", o.Targets)}; load average (1 min) {Machine.LoadAvg1():F2}, {Environment.ProcessorCount} cores");
        if (o.BuildOurs && o.Targets.Contains("ours")) await Stack.BuildOurs();
        var runId = Guid.NewGuid().ToString("N")[..6];
        var pieces = Enumerable.Range(0, o.Deltas).Select(FakeOpenAi.PacedPiece).ToArray();
        await using var fake = await FakeOpenAi.Start();
        fake.Mode = "paced";
        fake.FirstTokenMs = o.FirstTokenMs;
        fake.Deltas = o.Deltas;
        fake.DeltaGapMs = o.DeltaGapMs;
        await using var stack = await Stack.Start(o.PgMaxConnections);
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
                await stack.StartOurs(o.ReplicasApi, o.ReplicasAgent);
            }
            else
            {
                await stack.StartPeer(name["peer-".Length..], string.Concat(pieces), pieces.Length, new Dictionary<string, string>
                {
                    ["PEER_PIECES"] = JsonSerializer.Serialize(pieces), ["PEER_FIRST_TOKEN_MS"] = o.FirstTokenMs.ToString(CultureInfo.InvariantCulture),
                    ["PEER_DELTA_GAP_MS"] = o.DeltaGapMs.ToString(CultureInfo.InvariantCulture), ["PEER_MARKS"] = "1",
                });
            }
            var target = stack.Targets[name];
            try
            {
                var result = await RunTarget(stack, fake, target, o, runId + start[0], warmupUsers: start == "warm" ? o.WarmupUsers : 0);
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
            WriteReport(latest);
        }
        return 0;
    }

    /// <summary>`ckbench crowd-report`: re-renders the Crowd section of docs/benchmarks.md from a results file.</summary>
    public static void WriteReport(string resultsPath)
    {
        var doc = JsonNode.Parse(File.ReadAllText(resultsPath))!.AsObject();
        Report.Splice(Path.Combine(Paths.Docs, "benchmarks.md"), "<!-- bench:crowd:start -->", "<!-- bench:crowd:end -->",
            Render(doc, Path.GetRelativePath(Paths.Repo, resultsPath)));
        Log.Info("docs/benchmarks.md (Crowd) updated");
    }

    sealed class User(int index, string token, HttpClient http) : IDisposable
    {
        public int Index { get; } = index;
        public string Token { get; } = token;
        public HttpClient Http { get; } = http;
        public string? ThreadId { get; set; }
        public void Dispose() => Http.Dispose();
    }

    /// <summary>One turn as the client saw it. Times are <see cref="Clock.NowMs"/>.</summary>
    sealed record Turn(int User, string Key, string Outcome, string? Detail, double SentMs, double? FirstDeltaMs, double EndMs, string? ThreadId, int TextDeltas)
    {
        public bool Completed => Outcome == "ok";
    }

    static async Task<JsonObject> RunTarget(Stack stack, FakeOpenAi fake, Target target, CrowdOptions o, string runId, int warmupUsers)
    {
        var isOurs = target.Name == "ours";
        // Each user has its own HttpClient (its own connection, as each person has their own browser), on the API
        // replica its index picks.
        var uris = target.Uris;
        // The verifying peer checks HS256 session tokens (a ChatKit client secret); ours and the others get Better Auth JWTs.
        string Token(string user) => target.Name == "peer-pg-verify" ? stack.Tokens.MintSession(user) : stack.Tokens.Mint(user);
        User NewUser(int i, string prefix) => new(i, Token($"crowd-{runId}-{prefix}-{i}"),
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
                var turns = await Task.WhenAll(warm.Select(u => RunTurn(u, phase, $"warm {runId} {phase} user {u.Index}", o.TimeoutS)));
                foreach (var t in turns) warm[t.User].ThreadId ??= t.ThreadId;
                var bad = turns.Where(t => !t.Completed).GroupBy(t => t.Outcome).Select(g => $"{g.Key} × {g.Count()}").ToList();
                Log.Info($"{target.Name}: warm-up {phase}: {turns.Count(t => t.Completed)}/{turns.Length} completed{(bad.Count > 0 ? "; " + string.Join("; ", bad) : "")}");
            }
            foreach (var u in warm) u.Dispose();
            if (!isOurs) await PeerMarks(target); // forget the warm-up's marks
            fake.ClearFirstTokens();
        }

        var users = Enumerable.Range(0, o.Users).Select(i => NewUser(i, "user")).ToList();
        var phases = new JsonArray();
        try
        {
            foreach (var phase in Phases)
            {
                if (phase != Phases[0] && o.PauseS > 0) await Task.Delay(TimeSpan.FromSeconds(o.PauseS));
                phases.Add(await RunPhase(stack, fake, target, o, runId, phase, users, warmPath, poller));
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

    static async Task<JsonObject> RunPhase(Stack stack, FakeOpenAi fake, Target target, CrowdOptions o, string runId, string phase,
        List<User> users, string warmPath, PgPoller? poller)
    {
        var isOurs = target.Name == "ours";
        var crowd = phase == "create" ? users : users.Where(u => u.ThreadId is not null).ToList();
        var skipped = users.Count - crowd.Count;

        // Every user's connection is open before the phase: the crowd measures turns, not a burst of TCP handshakes
        // against a listen backlog. Connections that fail here are retried by the turn itself.
        await Parallel.ForEachAsync(crowd, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (u, ct) =>
        {
            try { using var r = await u.Http.GetAsync(warmPath, ct); }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
        });

        Log.Info($"{target.Name} {phase}: {crowd.Count} users at once{(skipped > 0 ? $" ({skipped} without a thread from the create phase)" : "")}");
        var modelRequests = fake.Requests;
        poller?.Begin();
        var meter = new ResourceMeter(target.Processes);
        var machine = Machine.CpuSnapshot();
        var selfCpu = Machine.SelfCpu();
        var wall = Stopwatch.StartNew();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = crowd.Select(async u =>
        {
            await gate.Task;
            return await RunTurn(u, phase, $"crowd {runId} {phase} user {u.Index}", o.TimeoutS);
        }).ToList();
        gate.SetResult();
        var turns = await Task.WhenAll(running);
        var seconds = wall.Elapsed.TotalSeconds;
        var usage = meter.Finish();
        var machinePct = Machine.CpuPercentSince(machine);
        var clientPct = (Machine.SelfCpu() - selfCpu) / seconds * 100;
        var pg = poller?.Take();
        modelRequests = fake.Requests - modelRequests;

        foreach (var t in turns) if (t.ThreadId is not null) users[t.User].ThreadId ??= t.ThreadId;

        // The model's first token (ours: the fake model sent it; peers: respond() emitted it), matched by the message text.
        var peerMarks = isOurs ? null : await PeerMarks(target);
        double? FirstToken(string key) => isOurs ? fake.FirstTokenAt(key) : peerMarks!.TryGetValue(key, out var v) ? v : null;
        var tokenToDelta = new List<double>();
        var sendToToken = new List<double>();
        foreach (var t in turns)
        {
            if (FirstToken(t.Key) is not { } first) continue;
            sendToToken.Add(first - t.SentMs);
            if (t.FirstDeltaMs is { } delta) tokenToDelta.Add(delta - first);
        }
        var completed = turns.Where(t => t.Completed).ToList();
        var failed = turns.Where(t => !t.Completed).ToList();
        var errors = failed.GroupBy(t => t.Outcome).OrderByDescending(g => g.Count())
            .ToDictionary(g => g.Key, g => g.Count());
        var samples = failed.GroupBy(t => t.Outcome).ToDictionary(g => g.Key, g => g.Select(t => t.Detail).FirstOrDefault(d => !string.IsNullOrEmpty(d)));
        var result = new JsonObject
        {
            ["phase"] = phase,
            ["users"] = users.Count,
            ["attempted"] = turns.Length,
            ["skipped_without_thread"] = skipped,
            ["completed"] = completed.Count,
            ["errors"] = JsonSerializer.SerializeToNode(errors),
            ["error_samples"] = JsonSerializer.SerializeToNode(samples),
            ["first_token_to_first_delta_ms"] = Stats(tokenToDelta),
            ["send_to_first_token_ms"] = Stats(sendToToken),
            ["send_to_first_delta_ms"] = Stats(turns.Where(t => t.FirstDeltaMs is not null).Select(t => t.FirstDeltaMs!.Value - t.SentMs).ToList()),
            // What a person waits beyond the model: from sending to the first text delta, less the model's own wait
            // for its first token (admission, both hops, the database and the stream's way back all count).
            ["beyond_model_ms"] = Stats(turns.Where(t => t.FirstDeltaMs is not null).Select(t => t.FirstDeltaMs!.Value - t.SentMs - o.FirstTokenMs).ToList()),
            ["turn_ms"] = Stats(completed.Select(t => t.EndMs - t.SentMs).ToList()),
            ["failed_turn_ms"] = Stats(failed.Select(t => t.EndMs - t.SentMs).ToList()),
            ["text_deltas_per_completed_turn"] = completed.Count == 0 ? 0 : Math.Round(completed.Average(t => t.TextDeltas), 2),
            ["model_requests"] = isOurs ? modelRequests : null,
            ["wall_s"] = Math.Round(seconds, 2),
            ["pg_max_connections"] = stack.Pg.MaxConnections,
            ["pg_peak_connections"] = pg?.Peak,
            ["pg_peak_connections_by_db"] = pg is null ? null : JsonSerializer.SerializeToNode(pg.Value.PeakByDb),
            ["pg_samples"] = pg?.Samples ?? 0,
            ["usage"] = JsonSerializer.SerializeToNode(usage, Json.Options),
            ["client_cpu_percent"] = Math.Round(clientPct, 1),
            ["machine_cpu_percent"] = Math.Round(machinePct, 1),
            ["load_avg_1m_after"] = Machine.LoadAvg1(),
        };
        Log.Info($"{target.Name} {phase}: {completed.Count}/{turns.Length} completed in {seconds:F1} s" +
                 (errors.Count > 0 ? "; " + string.Join("; ", errors.Select(e => $"{e.Key} × {e.Value}")) : "") +
                 $"; first token → first delta p50 {Q(tokenToDelta, 0.5):F0} ms p99 {Q(tokenToDelta, 0.99):F0} ms ({tokenToDelta.Count} matched)" +
                 $"; turn p50 {Q(completed.Select(t => t.EndMs - t.SentMs).ToList(), 0.5) / 1000:F2} s p99 {Q(completed.Select(t => t.EndMs - t.SentMs).ToList(), 0.99) / 1000:F2} s" +
                 $"; peak PostgreSQL connections {(pg is null ? "?" : pg.Value.Peak.ToString(CultureInfo.InvariantCulture))}/{stack.Pg.MaxConnections}; " +
                 string.Join(", ", usage.Select(u => $"{u.Key} {u.Value.CpuSeconds:F1} s CPU / {u.Value.PeakRssMiB:F0} MiB")) +
                 $"; ckbench {clientPct:F0}% CPU, machine {machinePct:F0}%");
        return result;
    }

    static async Task<Turn> RunTurn(User u, string phase, string key, int timeoutS)
    {
        var body = phase == "create" || u.ThreadId is null ? Ops.Create(key) : Ops.AddMessage(u.ThreadId, key);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutS));
        var sent = Clock.NowMs();
        double? firstDelta = null;
        string? threadId = null;
        var deltas = 0;
        Turn End(string outcome, string? detail) => new(u.Index, key, outcome, detail, sent, firstDelta, Clock.NowMs(), threadId ?? u.ThreadId, deltas);
        try
        {
            using var req = new HttpRequestMessage(HttpMethod.Post, "/api/chatkit") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", u.Token);
            using var res = await u.Http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            if ((int)res.StatusCode != 200 || res.Content.Headers.ContentType?.MediaType != "text/event-stream")
            {
                var raw = await res.Content.ReadAsStringAsync(cts.Token);
                return End($"HTTP {(int)res.StatusCode}", Short(raw));
            }
            using var reader = new StreamReader(await res.Content.ReadAsStreamAsync(cts.Token), Text.Utf8);
            string? error = null;
            var answered = false;
            try
            {
                while (await reader.ReadLineAsync(cts.Token) is { } line)
                {
                    if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
                    if (line.Contains("\"assistant_message.content_part.text_delta\"", StringComparison.Ordinal))
                    {
                        firstDelta ??= Clock.NowMs();
                        deltas++;
                        continue;
                    }
                    // Only the few events that matter are parsed: the thread's id, the answer's end, an error.
                    if (threadId is null && line.Contains("\"thread.created\"", StringComparison.Ordinal))
                        threadId = (string?)JsonNode.Parse(line.AsSpan(6).ToString())?["thread"]?["id"];
                    else if (line.Contains("\"thread.item.done\"", StringComparison.Ordinal) && line.Contains("\"assistant_message\"", StringComparison.Ordinal))
                        answered |= (string?)JsonNode.Parse(line.AsSpan(6).ToString())?["item"]?["type"] == "assistant_message";
                    else if (error is null && line.Contains("\"error\"", StringComparison.Ordinal)
                             && JsonNode.Parse(line.AsSpan(6).ToString()) is JsonObject e && (string?)e["type"] == "error")
                        error = $"error event {(string?)e["code"]}: {(string?)e["message"]}";
                }
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                return End("stream cut", Short(e.Message));
            }
            if (error is not null) return End(error, null);
            return answered ? End("ok", null) : End("stream ended without an answer", null);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            return End($"timeout (no end of stream in {timeoutS} s)", null);
        }
        catch (HttpRequestException e)
        {
            return End($"connection error ({e.HttpRequestError})", Short(e.InnerException?.Message ?? e.Message));
        }
        catch (Exception e)
        {
            // Anything else (a malformed event, say) is the turn's outcome, not the end of the run.
            return End($"client exception ({e.GetType().Name})", Short(e.Message));
        }
    }

    /// <summary>When the peer's respond() emitted each turn's first text delta (and the peer forgets them); empty if it cannot say.</summary>
    static async Task<Dictionary<string, double>> PeerMarks(Target target)
    {
        try
        {
            using var http = new HttpClient { BaseAddress = target.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
            var json = await http.GetStringAsync("/bench/marks");
            return JsonSerializer.Deserialize<Dictionary<string, double>>(json) ?? [];
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            Log.Info($"{target.Name}: no first-delta marks ({e.Message})");
            return [];
        }
    }

    /// <summary>Waits until no client is connected to PostgreSQL any more (the stopped target's pools are gone).</summary>
    static async Task WaitForIdleDatabase(PgCluster pg)
    {
        for (var i = 0; i < 100; i++)
        {
            try
            {
                var n = await pg.Scalar<long>("postgres",
                    "select count(*) from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()");
                if (n == 0) return;
            }
            catch (NpgsqlException) { }
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Polls pg_stat_activity every ~100 ms on one connection, opened while the database is idle before the target's
    /// warm-up and kept to its end (when the services hold every slot, a new connection would be refused): client
    /// backends, in all and per database, its own not counted. <see cref="Begin"/> and <see cref="Take"/> bound a phase.
    /// </summary>
    sealed class PgPoller : IAsyncDisposable
    {
        readonly NpgsqlConnection conn;
        readonly CancellationTokenSource stop = new();
        readonly object gate = new();
        Dictionary<string, int> peakByDb = [];
        readonly Task loop;
        int peak, samples;

        PgPoller(NpgsqlConnection conn) { this.conn = conn; loop = Task.Run(Loop); }

        public static async Task<PgPoller?> Start(PgCluster pg)
        {
            var conn = new NpgsqlConnection(pg.ConnectionString("postgres") + ";Pooling=false");
            try { await conn.OpenAsync(); }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                Log.Info("PostgreSQL poller could not connect (peak connections will be missing): " + e.Message);
                await conn.DisposeAsync();
                return null;
            }
            return new PgPoller(conn);
        }

        async Task Loop()
        {
            await using var cmd = new NpgsqlCommand(
                "select coalesce(datname, ''), count(*)::int from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid() group by 1", conn);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var rows = new List<(string Db, int N)>();
                    await using (var r = await cmd.ExecuteReaderAsync(stop.Token))
                        while (await r.ReadAsync(stop.Token)) rows.Add((r.GetString(0), r.GetInt32(1)));
                    lock (gate)
                    {
                        foreach (var (db, n) in rows) peakByDb[db] = Math.Max(peakByDb.GetValueOrDefault(db), n);
                        peak = Math.Max(peak, rows.Sum(x => x.N));
                        samples++;
                    }
                    await Task.Delay(100, stop.Token);
                }
                catch (OperationCanceledException) { return; }
                catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
                {
                    try { await Task.Delay(100, stop.Token); } catch (OperationCanceledException) { return; }
                }
            }
        }

        public void Begin()
        {
            lock (gate) { peak = 0; samples = 0; peakByDb = []; }
        }

        public (int Peak, Dictionary<string, int> PeakByDb, int Samples) Take()
        {
            lock (gate) return (peak, new Dictionary<string, int>(peakByDb), samples);
        }

        public async ValueTask DisposeAsync()
        {
            stop.Cancel();
            await loop;
            await conn.DisposeAsync();
        }
    }

    static double Q(List<double> values, double q)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, Math.Max(0, (int)Math.Ceiling(q * sorted.Count) - 1))];
    }

    static JsonObject Stats(List<double> values) => values.Count == 0
        ? new JsonObject { ["count"] = 0 }
        : new JsonObject
        {
            ["count"] = values.Count, ["p50"] = Math.Round(Q(values, 0.5), 1), ["p99"] = Math.Round(Q(values, 0.99), 1),
            ["min"] = Math.Round(values.Min(), 1), ["max"] = Math.Round(values.Max(), 1), ["mean"] = Math.Round(values.Average(), 1),
        };

    static string Short(string s, int n = 240)
    {
        s = s.ReplaceLineEndings(" ");
        return s.Length <= n ? s : s[..n] + "…";
    }

    // ---------------------------------------------------------------- docs/benchmarks.md
    static string F(double v, int digits = 0) => v.ToString("N" + digits, CultureInfo.InvariantCulture);

    static string P(JsonNode? stats, double scale = 1, int digits = 0) =>
        stats is JsonObject s && (int?)s["count"] > 0 ? $"{F((double)s["p50"]! / scale, digits)} / {F((double)s["p99"]! / scale, digits)}" : "–";

    static string Md(string s) => s.ReplaceLineEndings(" ").Replace("|", "\\|");

    static string Render(JsonObject doc, string source)
    {
        var sb = new StringBuilder();
        var o = doc["options"]!;
        var m = doc["machine"]!;
        var replicas = (int)o["replicas_api"]! > 1 || (int)o["replicas_agent"]! > 1
            ? $"; ours as {o["replicas_api"]} API and {o["replicas_agent"]} agent replicas (users spread over the API replicas by index)" : "";
        sb.AppendLine($"Run of {doc["started_utc"]} ({source}{(doc["label"] is { } label ? ", " + label : "")}): {o["users"]} users; the model's first text delta after " +
                      $"{F((double)o["first_token_ms"]!)} ms, then {(int)o["deltas"]! - 1} more {o["delta_gap_ms"]} ms apart ({o["deltas"]} in all); " +
                      $"PostgreSQL `max_connections={o["pg_max_connections"]}`{replicas}; {m["cores"]} cores, {m["cpu"]}; " +
                      $"load average (1 min) at the end: {m["load_avg_1m"]}. Command: `bench/bench.sh crowd --users {o["users"]} --first-token-ms {o["first_token_ms"]} " +
                      $"--deltas {o["deltas"]} --delta-gap-ms {o["delta_gap_ms"]}{((int)o["replicas_api"]! > 1 ? $" --replicas-api {o["replicas_api"]}" : "")}" +
                      $"{((int)o["replicas_agent"]! > 1 ? $" --replicas-agent {o["replicas_agent"]}" : "")}`.");
        sb.AppendLine();
        sb.AppendLine("| target | start | phase | completed / N | errors | **beyond the model** (send → first delta − the model's wait) p50 / p99 ms | first token → first delta p50 / p99 ms | send → first delta p50 / p99 s | whole turn p50 / p99 s | peak PostgreSQL connections (ckbench's poller not counted) / max | CPU s (services) | peak RSS MiB | ckbench / machine CPU % |");
        sb.AppendLine("|---|---|---|---:|---|---:|---:|---:|---:|---:|---|---|---:|");
        var notes = new List<string>();
        foreach (var t in doc["targets"]!.AsArray())
        {
            var start = (string?)t!["start"] ?? "warm";
            if (t["error"] is { } failure) sb.AppendLine($"| {t["target"]} | {start} | – | **the run failed**: {Md((string)failure!)} | | | | | | | | | |");
            foreach (var p in t["phases"]!.AsArray())
            {
                var errors = p!["errors"]!.AsObject();
                var errorText = errors.Count == 0 ? "none" : string.Join("; ", errors.Select(e => $"{Md(e.Key)} × {e.Value}"));
                foreach (var (kind, sample) in p["error_samples"]!.AsObject())
                    if (sample is not null) notes.Add($"{t["target"]} {p["phase"]}, {Md(kind)}: `{((string)sample!).Replace("`", "'")}`");
                var usage = p["usage"]!.AsObject();
                var cpu = string.Join(", ", usage.Select(u => $"{u.Key} {F((double)u.Value!["cpu_seconds"]!, 1)}"));
                var rss = string.Join(", ", usage.Select(u => $"{u.Key} {F((double)u.Value!["peak_rss_mi_b"]!)}"));
                var skipped = (int)p["skipped_without_thread"]!;
                var byDb = p["pg_peak_connections_by_db"] as JsonObject;
                var pgText = byDb is null ? "–" : $"{p["pg_peak_connections"]} / {p["pg_max_connections"]}" +
                             (byDb.Count > 0 ? " (" + string.Join(", ", byDb.Select(d => $"{d.Key} {d.Value}")) + ")" : "");
                sb.AppendLine($"| {t["target"]} | {start} | {p["phase"]} | {p["completed"]} / {p["attempted"]}{(skipped > 0 ? $" ({skipped} without a thread)" : "")} | {errorText} | " +
                              $"{P(p["beyond_model_ms"])} | {P(p["first_token_to_first_delta_ms"], 1, 1)} | {P(p["send_to_first_delta_ms"], 1000, 2)} | {P(p["turn_ms"], 1000, 2)} | {pgText} | {cpu} | {rss} | " +
                              $"{F((double)p["client_cpu_percent"]!)} / {F((double)p["machine_cpu_percent"]!)} |");
            }
        }
        if (notes.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("What the failures said (one sample of each kind):");
            sb.AppendLine();
            foreach (var n in notes) sb.AppendLine("- " + n);
        }
        return sb.ToString().TrimEnd();
    }
}
