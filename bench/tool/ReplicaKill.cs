using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace ChatKit.Bench;

/// <summary>
/// Drill replica-kill: two API replicas (and agents) on one PostgreSQL, the crowd's fake model (2 s to the first token,
/// 10 deltas 100 ms apart); N users, user i on replica i mod 2, each creates a thread, then all at once send a
/// follow-up; while those turns are in flight one API replica gets SIGKILL. Checks, from the clients' records and the
/// database: no acknowledged user message is missing from thread_items; the killed replica's clients saw their streams
/// cut and the survivor's completed; every cut thread answers a resend through the survivor once the dead replica's
/// lease runs out (ChatKit:Conversations:TurnLease, shortened for the drill), and how long the resend waited; no 5xx
/// from the survivor.
/// </summary>
public static class ReplicaKill
{
    const int Survivor = 0, Victim = 1;

    /// <summary>A resend may wait the lease (it was renewed at most TurnLease ago), plus the store's lease polling (at most 0.5 s apart) and load.</summary>
    static readonly TimeSpan LeaseSlack = TimeSpan.FromSeconds(2);

    /// <summary>One turn as the client saw it. Times are <see cref="Clock.NowMs"/>.</summary>
    internal sealed class Turn(int user, int replica, string phase, string text)
    {
        public int User { get; } = user;
        public int Replica { get; } = replica;
        public string Phase { get; } = phase;
        public string Text { get; } = text;
        public double SentMs;
        public int Status;
        public string? ThreadId;
        public string? UserItemId;
        public double? AckMs, FirstDeltaMs, EndMs;
        public int Deltas;
        public string Outcome = "not sent";
        public string? Detail;
        public bool Ok => Outcome == "ok";
        public bool Cut => Outcome.StartsWith("stream cut", StringComparison.Ordinal) || Outcome.StartsWith("connection error", StringComparison.Ordinal);
        public bool Acknowledged => UserItemId is not null;
    }

    internal sealed class User(int index, string token, HttpClient http, Uri uri) : IDisposable
    {
        public int Index { get; } = index;
        public string Token { get; } = token;
        public HttpClient Http { get; } = http;
        public Uri Uri { get; } = uri;
        public int Replica => Index % 2;
        public string? ThreadId { get; set; }
        public void Dispose() => Http.Dispose();
    }

    internal static HttpClient NewHttp() => new(new SocketsHttpHandler
    {
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10), ConnectTimeout = TimeSpan.FromSeconds(30),
        AutomaticDecompression = System.Net.DecompressionMethods.None, UseCookies = false,
    }) { Timeout = Timeout.InfiniteTimeSpan };

    public static async Task<JsonObject> Run(Dictionary<string, string> opts)
    {
        int I(string k, int d) => opts.TryGetValue(k, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : d;
        var n = I("users", 200);
        var agents = Math.Max(1, I("replicas-agent", 2));
        var leaseS = I("turn-lease", 5);
        var firstTokenMs = I("first-token-ms", 2000);
        var deltas = Math.Max(1, I("deltas", 10));
        var gapMs = I("delta-gap-ms", 100);
        var timeoutS = I("timeout", 120);
        var warmupUsers = I("warmup-users", 16);
        var pgMax = I("pg-max-connections", 100);
        // When to kill: once this share of the victim's clients has read its first text delta (turns mid-answer), or
        // at --kill-after-ms from the start of the follow-ups.
        var killShare = double.Parse(opts.GetValueOrDefault("kill-share") ?? "0.25", CultureInfo.InvariantCulture);
        int? killAfterMs = opts.ContainsKey("kill-after-ms") ? I("kill-after-ms", 0) : null;
        var lease = TimeSpan.FromSeconds(leaseS);

        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));
        var runId = Guid.NewGuid().ToString("N")[..6];
        await using var fake = await FakeOpenAi.Start();
        fake.Mode = "paced";
        fake.FirstTokenMs = firstTokenMs;
        fake.Deltas = deltas;
        fake.DeltaGapMs = gapMs;
        await using var stack = await Stack.Start(pgMax);
        stack.UseModel(fake);
        stack.ApiEnvExtra["ChatKit__Conversations__TurnLease"] = lease.ToString("c", CultureInfo.InvariantCulture);
        await stack.StartOurs(2, agents);
        var uris = stack.Targets["ours"].Uris;
        var apis = stack.ApiReplicas;
        var survivorPid = apis[Survivor].Pid;
        Log.Info($"replica-kill: {n} users, user i on API replica i mod 2 ({apis[Survivor].Name} survives, {apis[Victim].Name} gets SIGKILL); " +
                 $"{agents} agents; TurnLease {leaseS} s; model: first token {firstTokenMs} ms, {deltas} deltas {gapMs} ms apart; load average {Machine.LoadAvg1():F2}");

        User NewUser(int i, string prefix) => new(i, stack.Tokens.Mint($"rk-{runId}-{prefix}-{i}"), NewHttp(), uris[i % 2]);
        static async Task Connect(IEnumerable<User> users) =>
            await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (u, ct) =>
            {
                try { using var r = await u.Http.GetAsync(new Uri(u.Uri, "/alive"), ct); }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            });

        // Warm-up (not checked beyond the log): JIT and pools of both replicas.
        if (warmupUsers > 0)
        {
            var warm = Enumerable.Range(0, warmupUsers).Select(i => NewUser(i, "warm")).ToList();
            foreach (var phase in new[] { "create", "followup" })
            {
                var turns = await Task.WhenAll(warm.Select(async u =>
                {
                    var t = new Turn(u.Index, u.Replica, phase, $"warm {runId} {phase} user {u.Index}");
                    await RunTurn(u.Http, u.Uri, u.Token, t, u.ThreadId is null ? Ops.Create(t.Text) : Ops.AddMessage(u.ThreadId, t.Text), timeoutS);
                    u.ThreadId ??= t.ThreadId;
                    return t;
                }));
                Log.Info($"warm-up {phase}: {turns.Count(t => t.Ok)}/{turns.Length} completed{Kinds(turns.Where(t => !t.Ok))}");
            }
            foreach (var u in warm) u.Dispose();
        }

        var users = Enumerable.Range(0, n).Select(i => NewUser(i, "user")).ToList();
        using var resendHttp = NewHttp();
        try
        {
            // ---- create: every user makes a thread (both replicas healthy).
            await Connect(users);
            Log.Info($"create: {n} users at once");
            var creates = await AllAtOnce(users, async u =>
            {
                var t = new Turn(u.Index, u.Replica, "create", $"rk {runId} create user {u.Index}");
                await RunTurn(u.Http, u.Uri, u.Token, t, Ops.Create(t.Text), timeoutS);
                u.ThreadId = t.ThreadId;
                return t;
            });
            Log.Info($"create: {creates.Count(t => t.Ok)}/{n} completed{Kinds(creates.Where(t => !t.Ok))}");
            await Task.Delay(TimeSpan.FromSeconds(2));

            // ---- follow-ups, and the kill while they are in flight.
            var crowd = users.Where(u => u.ThreadId is not null).ToList();
            await Connect(crowd);
            var victimCount = crowd.Count(u => u.Replica == Victim);
            var threshold = Math.Max(1, (int)Math.Ceiling(victimCount * killShare));
            var victimDeltas = 0;
            var killNow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var killed = new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously);
            var resends = new System.Collections.Concurrent.ConcurrentBag<Turn>();
            var phaseStart = Clock.NowMs();
            Log.Info($"follow-up: {crowd.Count} users at once ({victimCount} on {apis[Victim].Name}); SIGKILL " +
                     (killAfterMs is { } ms ? $"{ms} ms after the start" : $"once {threshold} of them have read a first text delta"));
            var killer = Task.Run(async () =>
            {
                var delay = Task.Delay(TimeSpan.FromMilliseconds(killAfterMs ?? 30_000));
                await (killAfterMs is null ? Task.WhenAny(killNow.Task, delay) : delay);
                var at = Clock.NowMs();
                // Set before the kill: a client that sees its stream cut resends at once (Kill also waits for the exit).
                killed.SetResult(at);
                apis[Victim].Kill(); // SIGKILL (Process.Kill)
                Log.Info($"SIGKILL to {apis[Victim].Name} {(at - phaseStart) / 1000:F2} s into the follow-ups ({Volatile.Read(ref victimDeltas)} of its clients had a first delta)");
            });
            var followups = await AllAtOnce(crowd, async u =>
            {
                var t = new Turn(u.Index, u.Replica, "followup", $"rk {runId} followup user {u.Index}");
                Action<Turn>? onDelta = u.Replica == Victim ? _ => { if (Interlocked.Increment(ref victimDeltas) == threshold) killNow.TrySetResult(); } : null;
                await RunTurn(u.Http, u.Uri, u.Token, t, Ops.AddMessage(u.ThreadId!, t.Text), timeoutS, onDelta);
                if (u.Replica == Victim && !t.Ok)
                {
                    // The user's client tries again at once, through the replica that is left (as a load balancer would send it).
                    await killed.Task;
                    var r = new Turn(u.Index, Survivor, "resend", $"rk {runId} resend user {u.Index}");
                    await RunTurn(resendHttp, uris[Survivor], u.Token, r, Ops.AddMessage(u.ThreadId!, r.Text), timeoutS);
                    resends.Add(r);
                }
                return t;
            });
            var killMs = await killed.Task;
            await killer;
            var resendList = resends.OrderBy(r => r.User).ToList();
            Log.Info($"follow-up: {followups.Count(t => t.Ok)}/{followups.Length} completed{Kinds(followups.Where(t => !t.Ok))}; " +
                     $"resends {resendList.Count(r => r.Ok)}/{resendList.Count} answered{Kinds(resendList.Where(t => !t.Ok))}");

            return await Check(stack, apis, survivorPid, n, agents, lease, firstTokenMs, deltas, gapMs, killShare, killAfterMs, threshold,
                creates, followups, resendList, phaseStart, killMs);
        }
        finally
        {
            foreach (var u in users) u.Dispose();
        }
    }

    internal static async Task<Turn[]> AllAtOnce(IEnumerable<User> users, Func<User, Task<Turn>> turn)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = users.Select(async u => { await gate.Task; return await turn(u); }).ToList();
        gate.SetResult();
        return await Task.WhenAll(running);
    }

    static async Task<JsonObject> Check(Stack stack, IReadOnlyList<Child> apis, int survivorPid, int n, int agents, TimeSpan lease,
        int firstTokenMs, int deltas, int gapMs, double killShare, int? killAfterMs, int threshold,
        Turn[] creates, Turn[] followups, List<Turn> resends, double phaseStart, double killMs)
    {
        var all = creates.Concat(followups).Concat(resends).ToList();

        // (1) Every user message the client saw acknowledged (its thread.item.done) is in thread_items, in its thread, with its text.
        var acked = all.Where(t => t.Acknowledged).ToList();
        var rows = new Dictionary<string, (string ThreadId, string Type, string? Text)>();
        var answeredResends = new HashSet<string>();
        var unackedStored = new HashSet<string>();
        var unacked = followups.Where(t => t.Replica == Victim && !t.Acknowledged).ToList();
        long leasesHeld;
        await using (var conn = new NpgsqlConnection(stack.Pg.ConnectionString("conversationsdb") + ";Pooling=false"))
        {
            await conn.OpenAsync();
            await using (var cmd = new NpgsqlCommand("SELECT id, thread_id, type, text FROM thread_items WHERE id = ANY($1)", conn))
            {
                cmd.Parameters.Add(new NpgsqlParameter { Value = acked.Select(t => t.UserItemId!).ToArray() });
                await using var r = await cmd.ExecuteReaderAsync();
                while (await r.ReadAsync()) rows[r.GetString(0)] = (r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3));
            }
            // The resend's answer is stored after it.
            await using (var cmd = new NpgsqlCommand(
                "SELECT u.id FROM thread_items u WHERE u.id = ANY($1) AND EXISTS (SELECT 1 FROM thread_items a " +
                "WHERE a.thread_id = u.thread_id AND a.type = 'assistant_message' AND a.seq > u.seq)", conn))
            {
                cmd.Parameters.Add(new NpgsqlParameter { Value = resends.Where(t => t.Acknowledged).Select(t => t.UserItemId!).ToArray() });
                await using var r = await cmd.ExecuteReaderAsync();
                while (await r.ReadAsync()) answeredResends.Add(r.GetString(0));
            }
            // Follow-ups the killed replica never acknowledged may still have been stored (the ack was lost with the stream).
            await using (var cmd = new NpgsqlCommand("SELECT text FROM thread_items WHERE type = 'user_message' AND text = ANY($1)", conn))
            {
                cmd.Parameters.Add(new NpgsqlParameter { Value = unacked.Select(t => t.Text).ToArray() });
                await using var r = await cmd.ExecuteReaderAsync();
                while (await r.ReadAsync()) unackedStored.Add(r.GetString(0));
            }
            await using (var cmd = new NpgsqlCommand("SELECT count(*) FROM threads WHERE turn_lease IS NOT NULL", conn))
                leasesHeld = (long)(await cmd.ExecuteScalarAsync())!;
        }
        var missing = acked.Where(t => !rows.TryGetValue(t.UserItemId!, out var row) || row.ThreadId != t.ThreadId || row.Type != "user_message" || row.Text != t.Text)
            .Select(t => $"{t.Phase} user {t.User}: {t.UserItemId} in {t.ThreadId} ({(rows.TryGetValue(t.UserItemId!, out var row) ? $"stored as {row.Type} in {row.ThreadId}, text \"{row.Text}\"" : "not stored")})")
            .ToList();

        // (2) The killed replica's clients: completed before the kill, or cut; the survivor's all completed.
        var victimTurns = followups.Where(t => t.Replica == Victim).ToList();
        var survivorTurns = followups.Where(t => t.Replica == Survivor).ToList();
        var victimCompleted = victimTurns.Where(t => t.Ok).ToList();
        var victimCut = victimTurns.Where(t => t.Cut).ToList();
        var victimOther = victimTurns.Where(t => !t.Ok && !t.Cut).ToList();
        // Where each of the killed replica's turns stood at the kill (from the client's timestamps).
        int At(Func<Turn, bool> p) => victimTurns.Count(p);
        var atKill = new JsonObject
        {
            ["completed"] = At(t => t.Ok && t.EndMs <= killMs),
            ["mid_answer"] = At(t => t.FirstDeltaMs < killMs && !(t.Ok && t.EndMs <= killMs)),
            ["acknowledged_waiting_for_model"] = At(t => t.AckMs < killMs && !(t.FirstDeltaMs < killMs)),
            ["not_acknowledged"] = At(t => !(t.AckMs < killMs)),
        };
        var survivorOk = survivorTurns.Count(t => t.Ok);

        // (3) Every thread whose turn was cut answers a resend through the survivor; how long the resend waited for the lease.
        var cutThreads = victimTurns.Where(t => !t.Ok).Select(t => t.User).ToHashSet();
        var resendOk = resends.Where(t => t.Ok && answeredResends.Contains(t.UserItemId!)).ToList();
        var waits = resends.Where(t => t.AckMs is not null).Select(t => t.AckMs!.Value - t.SentMs).ToList();
        var killToAck = resends.Where(t => t.AckMs is not null).Select(t => t.AckMs!.Value - killMs).ToList();
        var resendTurn = resends.Where(t => t.Ok).Select(t => t.EndMs!.Value - t.SentMs).ToList();
        var waitBound = (lease + LeaseSlack).TotalMilliseconds;
        var waitsWithinBound = waits.Count == 0 || waits.Max() <= waitBound;

        // (4) Nothing 5xx (or an error event) from the surviving replica, in any phase.
        var survivorAll = all.Where(t => t.Replica == Survivor).ToList();
        var survivor5xx = survivorAll.Count(t => t.Status >= 500);
        var survivorErrors = survivorAll.Where(t => !t.Ok).ToList();
        var survivorAlive = apis[Survivor].Alive && apis[Survivor].Pid == survivorPid;
        var victimDead = !apis[Victim].Alive;

        var createsOk = creates.All(t => t.Ok) && creates.Length == n;
        var passed = createsOk && victimDead && survivorAlive && missing.Count == 0
                     && victimCut.Count > 0 && victimOther.Count == 0 && survivorOk == survivorTurns.Count
                     && resends.Count == cutThreads.Count && resendOk.Count == resends.Count && waitsWithinBound
                     && survivor5xx == 0 && survivorErrors.Count == 0;

        static string P(List<double> v) => v.Count == 0 ? "–" : $"{Q(v, 0.5) / 1000:F2} / {Q(v, 0.99) / 1000:F2} s";
        static string S(List<double> v) => v.Count == 0 ? "–" : $"{Q(v, 0.5) / 1000:F2} / {Q(v, 0.99) / 1000:F2} / {v.Max() / 1000:F2} s";
        var killWhen = killAfterMs is { } ms ? $"{ms} ms after the follow-ups started" : $"once {threshold} of its clients ({killShare:P0}) had read a first text delta";
        var summary = $"""
            Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC: {n} users on two API replicas (user *i* on replica *i* mod 2) and {agents} agent{(agents > 1 ? "s" : "")}, one PostgreSQL (`max_connections={stack.Pg.MaxConnections}`), the crowd's fake model (first text delta after {firstTokenMs:N0} ms, then {deltas - 1} more {gapMs} ms apart); `ChatKit:Conversations:TurnLease` set to **{lease.TotalSeconds:F0} s** for the drill (`ChatKit__Conversations__TurnLease`; default 15 s). Each user creates a thread, then all send a follow-up at once; `{apis[Victim].Name}` gets SIGKILL {killWhen}, {(killMs - phaseStart) / 1000:F2} s into the follow-ups. Each of its clients whose turn did not complete sends a new message to the same thread through `{apis[Survivor].Name}` at once. **{(passed ? "Passed" : "Failed")}.**

            | figure | value |
            |---|---|
            | new threads (both replicas up) | {creates.Count(t => t.Ok)} / {n} completed{Kinds(creates.Where(t => !t.Ok))} |
            | killed replica's follow-ups at the kill | {atKill["completed"]} completed, {atKill["mid_answer"]} mid-answer (text streaming), {atKill["acknowledged_waiting_for_model"]} acknowledged and waiting for the model's first token, {atKill["not_acknowledged"]} not yet acknowledged (of {victimTurns.Count}) |
            | killed replica's clients | **{victimCut.Count} streams cut** ({Kinds(victimCut, "")}), {victimCompleted.Count} completed before the kill{(victimOther.Count > 0 ? $", **{victimOther.Count} other**: {Kinds(victimOther, "")}" : ", none hung")} |
            | surviving replica's follow-ups | {survivorOk} / {survivorTurns.Count} completed normally{Kinds(survivorTurns.Where(t => !t.Ok))}; whole turn p50 / p99 {P(survivorTurns.Where(t => t.Ok).Select(t => t.EndMs!.Value - t.SentMs).ToList())} |
            | acknowledged user messages missing from `thread_items` | **{missing.Count}** of {acked.Count} (create {acked.Count(t => t.Phase == "create")}, follow-up {acked.Count(t => t.Phase == "followup")}, resend {acked.Count(t => t.Phase == "resend")}){(missing.Count > 0 ? ": " + string.Join("; ", missing.Take(5)) : "")} |
            | killed replica's follow-ups never acknowledged, stored anyway | {unackedStored.Count} of {unacked.Count} (no promise was made for these) |
            | cut threads resent through the survivor and answered (answer stored after the resend) | {resendOk.Count} / {cutThreads.Count}{Kinds(resends.Where(t => !t.Ok))} |
            | resend waited for the dead replica's lease (send → its user message acknowledged) p50 / p99 / max | {S(waits)} (bound: TurnLease + {LeaseSlack.TotalSeconds:F0} s = {waitBound / 1000:F0} s) |
            | kill → resend acknowledged p50 / p99 / max | {S(killToAck)} |
            | resend whole turn (send → end of stream) p50 / p99 / max | {S(resendTurn)} |
            | 5xx / other failures from the surviving replica (all phases) | {survivor5xx} / {survivorErrors.Count - survivor5xx}{Kinds(survivorErrors)} |
            | processes | `{apis[Victim].Name}` {(victimDead ? "dead" : "**still running**")}; `{apis[Survivor].Name}` {(survivorAlive ? "the same process throughout" : "**restarted or died**")}; thread leases still held at the end: {leasesHeld} |
            """;

        static JsonObject Stats(List<double> v) => v.Count == 0 ? new JsonObject { ["count"] = 0 } : new JsonObject
        {
            ["count"] = v.Count, ["p50"] = Math.Round(Q(v, 0.5), 1), ["p99"] = Math.Round(Q(v, 0.99), 1),
            ["min"] = Math.Round(v.Min(), 1), ["max"] = Math.Round(v.Max(), 1),
        };
        static JsonNode Outcomes(IEnumerable<Turn> turns) =>
            JsonSerializer.SerializeToNode(turns.GroupBy(t => t.Outcome).ToDictionary(g => g.Key, g => g.Count()))!;
        return new JsonObject
        {
            ["passed"] = passed, ["summary"] = summary,
            ["users"] = n, ["replicas_api"] = 2, ["replicas_agent"] = agents, ["turn_lease_s"] = lease.TotalSeconds,
            ["model"] = new JsonObject { ["first_token_ms"] = firstTokenMs, ["deltas"] = deltas, ["delta_gap_ms"] = gapMs },
            ["pg_max_connections"] = stack.Pg.MaxConnections,
            ["killed"] = apis[Victim].Name, ["survivor"] = apis[Survivor].Name,
            ["kill_trigger"] = killWhen, ["kill_s_after_followups_started"] = Math.Round((killMs - phaseStart) / 1000, 3),
            ["create_outcomes"] = Outcomes(creates),
            ["victim_at_kill"] = atKill,
            ["victim_outcomes"] = Outcomes(victimTurns),
            ["survivor_outcomes"] = Outcomes(survivorTurns),
            ["survivor_turn_ms"] = Stats(survivorTurns.Where(t => t.Ok).Select(t => t.EndMs!.Value - t.SentMs).ToList()),
            ["acknowledged"] = acked.Count,
            ["missing"] = new JsonArray(missing.Select(m => (JsonNode?)m).ToArray()),
            ["unacknowledged_stored"] = unackedStored.Count, ["unacknowledged"] = unacked.Count,
            ["cut_threads"] = cutThreads.Count, ["resends"] = resends.Count, ["resends_answered"] = resendOk.Count,
            ["resend_outcomes"] = Outcomes(resends),
            ["resend_wait_ms"] = Stats(waits), ["kill_to_resend_ack_ms"] = Stats(killToAck), ["resend_turn_ms"] = Stats(resendTurn),
            ["resend_wait_bound_ms"] = waitBound,
            ["survivor_5xx"] = survivor5xx, ["survivor_failures"] = Outcomes(survivorErrors),
            ["failure_samples"] = JsonSerializer.SerializeToNode(all.Where(t => !t.Ok && t.Detail is not null).GroupBy(t => t.Phase + " " + t.Outcome)
                .ToDictionary(g => g.Key, g => g.First().Detail)),
            ["victim_dead"] = victimDead, ["survivor_same_process"] = survivorAlive, ["leases_held_at_end"] = leasesHeld,
        };
    }

    /// <summary>Reads one streamed turn event by event into <paramref name="t"/>.</summary>
    internal static async Task RunTurn(HttpClient http, Uri baseUri, string token, Turn t, string body, int timeoutS, Action<Turn>? onFirstDelta = null)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutS));
        t.SentMs = Clock.NowMs();
        void End(string outcome, string? detail) { t.Outcome = outcome; t.Detail = detail; t.EndMs = Clock.NowMs(); }
        try
        {
            using var req = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUri, "/api/chatkit")) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var res = await http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            t.Status = (int)res.StatusCode;
            if (t.Status != 200 || res.Content.Headers.ContentType?.MediaType != "text/event-stream")
            {
                End($"HTTP {t.Status}", Short(await res.Content.ReadAsStringAsync(cts.Token)));
                return;
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
                        if (t.FirstDeltaMs is null) { t.FirstDeltaMs = Clock.NowMs(); onFirstDelta?.Invoke(t); }
                        t.Deltas++;
                        continue;
                    }
                    if (JsonNode.Parse(line.AsSpan(6).ToString()) is not JsonObject e) continue;
                    var itemType = e["item"]?["type"]?.GetValue<string>();
                    switch (e["type"]?.GetValue<string>())
                    {
                        case "thread.created":
                            t.ThreadId ??= (string?)e["thread"]?["id"];
                            break;
                        case "thread.item.done" when itemType == "user_message" && t.UserItemId is null:
                            t.AckMs = Clock.NowMs();
                            t.UserItemId = (string?)e["item"]?["id"];
                            t.ThreadId ??= (string?)e["item"]?["thread_id"];
                            break;
                        case "thread.item.done" when itemType == "assistant_message":
                            answered = true;
                            break;
                        case "error":
                            error ??= $"error event {(string?)e["code"]}: {(string?)e["message"]}";
                            break;
                    }
                }
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                End("stream cut", Short(e.Message));
                return;
            }
            if (error is not null) End(error, null);
            else End(answered ? "ok" : "stream ended without an answer", null);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            End($"timeout (no end of stream in {timeoutS} s)", null);
        }
        catch (HttpRequestException e)
        {
            End($"connection error ({e.HttpRequestError})", Short(e.InnerException?.Message ?? e.Message));
        }
        catch (Exception e)
        {
            End($"client exception ({e.GetType().Name})", Short(e.Message));
        }
    }

    internal static string Kinds(IEnumerable<Turn> turns, string prefix = "; ")
    {
        var groups = turns.GroupBy(t => t.Outcome).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} × {g.Count()}").ToList();
        return groups.Count == 0 ? "" : prefix + string.Join("; ", groups);
    }

    internal static double Q(List<double> values, double q)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, Math.Max(0, (int)Math.Ceiling(q * sorted.Count) - 1))];
    }

    static string Short(string s, int n = 240)
    {
        s = s.ReplaceLineEndings(" ");
        return s.Length <= n ? s : s[..n] + "…";
    }
}
