using System.Globalization;
using System.Text.Json.Nodes;
using Npgsql;
using static ChatKit.Bench.ReplicaKill;

namespace ChatKit.Bench;

/// <summary>
/// Drill stall: turns that outlive their thread's lease. Two API replicas on one PostgreSQL, the crowd's fake model
/// (2 s to the first token, 10 deltas 100 ms apart), a short TurnLease; N users, user i on replica i mod 2, each with a
/// thread. Two rounds of follow-ups, all users at once, each disturbed once a quarter of the clients read text:
/// <list type="number">
/// <item>pg-pause: every PostgreSQL process gets SIGSTOP for the lease plus 3 s, then SIGCONT.</item>
/// <item>freeze: one API replica gets SIGSTOP; when its leases have run out, each of its users sends a new message to
/// the same thread through the other replica, which takes the thread over; once those are acknowledged the frozen
/// replica gets SIGCONT while the new answers stream.</item>
/// </list>
/// Checks, from the clients and the database: every acknowledged user message is stored in its thread; in every thread
/// each user message has at most one answer before the next user message (answered at most once, no two answers
/// interleaved); every resend is answered; every stream ends (an answer or an error event, never a hang or a 5xx); the
/// frozen replica's unfinished turns end with the "stopped" error and write nothing; no lease is left held.
/// </summary>
public static class Stall
{
    const int Survivor = 0, Victim = 1;

    public static async Task<JsonObject> Run(Dictionary<string, string> opts)
    {
        int I(string k, int d) => opts.TryGetValue(k, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : d;
        var n = I("users", 100);
        var timeoutS = I("timeout", 120);
        var lease = TimeSpan.FromSeconds(I("turn-lease", 5));
        var pause = lease + TimeSpan.FromSeconds(3);

        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));
        var runId = Guid.NewGuid().ToString("N")[..6];
        await using var fake = await FakeOpenAi.Start();
        fake.Mode = "paced";
        fake.FirstTokenMs = I("first-token-ms", 2000);
        fake.Deltas = I("deltas", 10);
        fake.DeltaGapMs = I("delta-gap-ms", 100);
        await using var stack = await Stack.Start(I("pg-max-connections", 100));
        stack.UseModel(fake);
        stack.ApiEnvExtra["ChatKit__Conversations__TurnLease"] = lease.ToString("c", CultureInfo.InvariantCulture);
        await stack.StartOurs(2, 1);
        var uris = stack.Targets["ours"].Uris;
        var apis = stack.ApiReplicas;
        Log.Info($"stall: {n} users on two API replicas; TurnLease {lease.TotalSeconds:F0} s; PostgreSQL paused {pause.TotalSeconds:F0} s; " +
                 $"load average {Machine.LoadAvg1():F2}");

        var users = Enumerable.Range(0, n).Select(i => new User(i, stack.Tokens.Mint($"stall-{runId}-{i}"), NewHttp(), uris[i % 2])).ToList();
        using var resendHttp = NewHttp();
        try
        {
            var creates = await AllAtOnce(users, async u =>
            {
                var t = new Turn(u.Index, u.Replica, "create", $"stall {runId} create {u.Index}");
                await RunTurn(u.Http, u.Uri, u.Token, t, Ops.Create(t.Text), timeoutS);
                u.ThreadId = t.ThreadId;
                return t;
            });
            Log.Info($"create: {creates.Count(t => t.Ok)}/{n} answered{Kinds(creates.Where(t => !t.Ok))}");
            var crowd = users.Where(u => u.ThreadId is not null).ToList();

            // ---- round 1: PostgreSQL paused past the lease while the turns stream.
            var pgRound = await RoundAsync(crowd, "pg-pause", runId, timeoutS, async () =>
            {
                var pg = ProcStats.Tree(stack.Pg.Pid);
                foreach (var pid in pg) Syscall.Kill(pid, Sigstop);
                Log.Info($"SIGSTOP to {pg.Count} PostgreSQL processes for {pause.TotalSeconds:F0} s");
                await Task.Delay(pause);
                foreach (var pid in pg) Syscall.Kill(pid, Sigcont);
                Log.Info("SIGCONT to PostgreSQL");
            });
            Log.Info($"pg-pause: {pgRound.Count(t => t.Ok)}/{pgRound.Length} answered{Kinds(pgRound.Where(t => !t.Ok))}");

            // ---- round 2: a replica frozen past the lease; its users send again through the other one.
            var resends = new List<Task<Turn>>();
            var freezeRound = await RoundAsync(crowd, "freeze", runId, timeoutS, async () =>
            {
                var frozen = ProcStats.Tree(apis[Victim].Pid);
                foreach (var pid in frozen) Syscall.Kill(pid, Sigstop);
                Log.Info($"SIGSTOP to {apis[Victim].Name} ({frozen.Count} processes)");
                await Task.Delay(lease + TimeSpan.FromSeconds(1));
                var sent = crowd.Where(u => u.Replica == Victim).Select(u => new Turn(u.Index, Survivor, "resend", $"stall {runId} resend {u.Index}")).ToList();
                resends.AddRange(sent.Select(async r =>
                {
                    await RunTurn(resendHttp, uris[Survivor], users[r.User].Token, r, Ops.AddMessage(users[r.User].ThreadId!, r.Text), timeoutS);
                    return r;
                }));
                // Resume while the turns that took over still stream: the frozen turns' writes would land among them.
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
                while (sent.Any(r => r.AckMs is null && r.EndMs is null) && DateTime.UtcNow < deadline) await Task.Delay(50);
                foreach (var pid in frozen) Syscall.Kill(pid, Sigcont);
                Log.Info($"SIGCONT to {apis[Victim].Name}; {sent.Count(r => r.AckMs is not null)}/{sent.Count} resends acknowledged");
            });
            var resent = await Task.WhenAll(resends);
            Log.Info($"freeze: {freezeRound.Count(t => t.Ok)}/{freezeRound.Length} answered{Kinds(freezeRound.Where(t => !t.Ok))}; " +
                     $"resends {resent.Count(t => t.Ok)}/{resent.Length} answered{Kinds(resent.Where(t => !t.Ok))}");

            await Task.Delay(TimeSpan.FromSeconds(1));
            return await CheckAsync(stack, runId, n, lease, pause, creates, pgRound, freezeRound, resent);
        }
        finally
        {
            foreach (var u in users) u.Dispose();
        }
    }

    const int Sigstop = 19, Sigcont = 18;

    /// <summary>Every user sends a follow-up at once; <paramref name="disturb"/> runs once a quarter of them read text.</summary>
    static async Task<Turn[]> RoundAsync(List<User> crowd, string phase, string runId, int timeoutS, Func<Task> disturb)
    {
        var threshold = Math.Max(1, crowd.Count / 4);
        var reading = 0;
        var streaming = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var disturbance = Task.Run(async () =>
        {
            await Task.WhenAny(streaming.Task, Task.Delay(TimeSpan.FromSeconds(30)));
            await disturb();
        });
        var turns = await AllAtOnce(crowd, async u =>
        {
            var t = new Turn(u.Index, u.Replica, phase, $"stall {runId} {phase} {u.Index}");
            await RunTurn(u.Http, u.Uri, u.Token, t, Ops.AddMessage(u.ThreadId!, t.Text), timeoutS,
                _ => { if (Interlocked.Increment(ref reading) == threshold) streaming.TrySetResult(); });
            return t;
        });
        await disturbance;
        return turns;
    }

    static async Task<JsonObject> CheckAsync(Stack stack, string runId, int n, TimeSpan lease, TimeSpan pause,
        Turn[] creates, Turn[] pgRound, Turn[] freezeRound, Turn[] resends)
    {
        var all = creates.Concat(pgRound).Concat(freezeRound).Concat(resends).ToList();
        var items = new List<(string ThreadId, string Id, string Type)>();
        long leasesHeld;
        await using (var conn = new NpgsqlConnection(stack.Pg.ConnectionString("conversationsdb") + ";Pooling=false"))
        {
            await conn.OpenAsync();
            await using (var cmd = new NpgsqlCommand(
                "SELECT thread_id, id, type FROM thread_items WHERE owner_id LIKE $1 AND type IN ('user_message', 'assistant_message') ORDER BY thread_id, seq", conn))
            {
                cmd.Parameters.Add(new NpgsqlParameter { Value = $"stall-{runId}-%" });
                await using var r = await cmd.ExecuteReaderAsync();
                while (await r.ReadAsync()) items.Add((r.GetString(0), r.GetString(1), r.GetString(2)));
            }
            await using (var cmd = new NpgsqlCommand("SELECT count(*) FROM threads WHERE owner_id LIKE $1 AND turn_lease IS NOT NULL", conn))
            {
                cmd.Parameters.Add(new NpgsqlParameter { Value = $"stall-{runId}-%" });
                leasesHeld = (long)(await cmd.ExecuteScalarAsync())!;
            }
        }

        // Acknowledged user messages are stored, in their thread.
        var stored = items.Where(i => i.Type == "user_message").ToDictionary(i => i.Id, i => i.ThreadId);
        var acked = all.Where(t => t.Acknowledged).ToList();
        var lost = acked.Where(t => !stored.TryGetValue(t.UserItemId!, out var thread) || thread != t.ThreadId).ToList();

        // In each thread: at most one answer after each user message (before the next one), none before the first.
        var answersAfter = new Dictionary<string, int>();
        var twice = new List<string>();
        var orphans = 0;
        foreach (var thread in items.GroupBy(i => i.ThreadId))
        {
            string? last = null;
            foreach (var item in thread)
            {
                if (item.Type == "user_message") { last = item.Id; answersAfter[last] = 0; continue; }
                if (last is null) { orphans++; continue; }
                if (++answersAfter[last] == 2) twice.Add($"{thread.Key}: {last}");
            }
        }
        var resendsAnswered = resends.Count(r => r.Ok && r.UserItemId is not null && answersAfter.GetValueOrDefault(r.UserItemId) == 1);

        var frozenTurns = freezeRound.Where(t => t.Replica == Victim).ToList();
        var survivorTurns = freezeRound.Where(t => t.Replica == Survivor).ToList();
        bool Stopped(Turn t) => t.Outcome.StartsWith("error event", StringComparison.Ordinal) && t.Outcome.Contains("stopped", StringComparison.Ordinal);
        var frozenStopped = frozenTurns.Where(Stopped).ToList();
        var frozenAnswered = frozenTurns.Where(t => t.Ok).ToList();
        var frozenStoppedWrote = frozenStopped.Count(t => t.UserItemId is not null && answersAfter.GetValueOrDefault(t.UserItemId) > 0);
        bool Ended(Turn t) => t.Ok || t.Outcome.StartsWith("error event", StringComparison.Ordinal);
        var hung = all.Where(t => !Ended(t)).ToList();
        var fivexx = all.Count(t => t.Status >= 500);

        var passed = creates.Length == n && creates.All(t => t.Ok) && lost.Count == 0 && twice.Count == 0 && orphans == 0
                     && resends.Length == frozenTurns.Count && resendsAnswered == resends.Length
                     && survivorTurns.All(t => t.Ok) && frozenTurns.All(t => t.Ok || Stopped(t)) && frozenStoppedWrote == 0
                     && hung.Count == 0 && fivexx == 0 && leasesHeld == 0;

        static string P(IEnumerable<Turn> turns)
        {
            var v = turns.Where(t => t.EndMs is not null).Select(t => t.EndMs!.Value - t.SentMs).ToList();
            return v.Count == 0 ? "–" : $"{Q(v, 0.5) / 1000:F2} / {Q(v, 0.99) / 1000:F2} s";
        }
        var summary = $"""
            Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC: {n} users on two API replicas (user *i* on replica *i* mod 2) and one agent, one PostgreSQL, the crowd's fake model; `ChatKit:Conversations:TurnLease` **{lease.TotalSeconds:F0} s** for the drill. Each user has a thread; then two rounds of follow-ups from all users at once, each disturbed once a quarter of the clients read text: PostgreSQL paused (SIGSTOP to all its processes) for {pause.TotalSeconds:F0} s; then one API replica frozen (SIGSTOP) until its leases ran out, its users sending a new message through the other replica, and the frozen replica resumed (SIGCONT) while those answers streamed. **{(passed ? "Passed" : "Failed")}.**

            | figure | value |
            |---|---|
            | new threads | {creates.Count(t => t.Ok)} / {n} answered{Kinds(creates.Where(t => !t.Ok))} |
            | PostgreSQL paused: follow-ups | {pgRound.Count(t => t.Ok)} / {pgRound.Length} answered{Kinds(pgRound.Where(t => !t.Ok))}; whole turn p50 / p99 {P(pgRound)} |
            | replica frozen: the other replica's follow-ups | {survivorTurns.Count(t => t.Ok)} / {survivorTurns.Count} answered{Kinds(survivorTurns.Where(t => !t.Ok))} |
            | replica frozen: its own follow-ups | {frozenAnswered.Count} answered before the freeze, **{frozenStopped.Count} stopped** with the error event (their lease taken), {frozenTurns.Count - frozenAnswered.Count - frozenStopped.Count} other{Kinds(frozenTurns.Where(t => !t.Ok && !Stopped(t)))} |
            | stopped turns that wrote anything after their user message | **{frozenStoppedWrote}** |
            | resends through the other replica, answered | {resendsAnswered} / {resends.Length}{Kinds(resends.Where(t => !t.Ok))}; whole turn p50 / p99 {P(resends)} |
            | acknowledged user messages missing from their thread | **{lost.Count}** of {acked.Count} |
            | user messages answered more than once (or answers interleaved) | **{twice.Count}**{(twice.Count > 0 ? ": " + string.Join("; ", twice.Take(3)) : "")}; answers before any user message: {orphans} |
            | streams that hung, or 5xx | {hung.Count}{Kinds(hung)} / {fivexx} |
            | leases still held at the end | {leasesHeld} |
            """;
        return new JsonObject
        {
            ["passed"] = passed, ["summary"] = summary, ["users"] = n, ["turn_lease_s"] = lease.TotalSeconds, ["pg_pause_s"] = pause.TotalSeconds,
            ["creates_answered"] = creates.Count(t => t.Ok), ["pg_pause_answered"] = pgRound.Count(t => t.Ok),
            ["survivor_answered"] = survivorTurns.Count(t => t.Ok), ["survivor_turns"] = survivorTurns.Count,
            ["frozen_answered"] = frozenAnswered.Count, ["frozen_stopped"] = frozenStopped.Count, ["frozen_turns"] = frozenTurns.Count,
            ["stopped_wrote"] = frozenStoppedWrote, ["resends"] = resends.Length, ["resends_answered"] = resendsAnswered,
            ["acknowledged"] = acked.Count, ["lost"] = lost.Count, ["answered_twice"] = twice.Count, ["orphan_answers"] = orphans,
            ["hung"] = hung.Count, ["5xx"] = fivexx, ["leases_held_at_end"] = leasesHeld,
        };
    }
}
