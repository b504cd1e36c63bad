using System.Globalization;
using System.Text.Json.Nodes;
using ChatKit.Bench.Drills.Turns;

namespace ChatKit.Bench.Drills.ReplicaKill;

/// <summary>
/// Drill replica-kill: two API replicas (and agents) on one PostgreSQL, the crowd's fake model (2 s to the first token,
/// 10 deltas 100 ms apart); N users, user i on replica i mod 2, each creates a thread, then all at once send a
/// follow-up; while those turns are in flight one API replica gets SIGKILL. Checks, from the clients' records and the
/// database: no acknowledged user message is missing from thread_items; the killed replica's clients saw their streams
/// cut and the survivor's completed; every cut thread answers a resend through the survivor once the dead replica's
/// lease runs out (ChatKit:Conversations:TurnLease, shortened for the drill), and how long the resend waited; no 5xx
/// from the survivor.
/// </summary>
public static class ReplicaKillDrill
{
    internal const int Survivor = 0, Victim = 1;

    public static async Task<JsonObject> RunAsync(DrillOptions o)
    {
        var n = (o.Users ?? 200);
        var agents = Math.Max(1, (o.ReplicasAgent ?? 2));
        var leaseS = (o.TurnLease ?? 5);
        var firstTokenMs = (o.FirstTokenMs ?? 2000);
        var deltas = Math.Max(1, (o.Deltas ?? 10));
        var gapMs = (o.DeltaGapMs ?? 100);
        var timeoutS = (o.Timeout ?? 120);
        var warmupUsers = (o.WarmupUsers ?? 16);
        var pgMax = (o.PgMaxConnections ?? 100);
        // When to kill: once this share of the victim's clients has read its first text delta (turns mid-answer), or
        // at --kill-after-ms from the start of the follow-ups.
        var killShare = o.KillShare ?? 0.25;
        int? killAfterMs = o.KillAfterMs;
        var lease = TimeSpan.FromSeconds(leaseS);

        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));
        var runId = Guid.NewGuid().ToString("N")[..6];
        using var fake = new FakeOpenAIServer();
        fake.Use(FakeModel.Paced(firstTokenMs, deltas, gapMs));
        await using var stack = await Stack.StartAsync(pgMax);
        stack.UseModel(fake);
        stack.ApiEnvExtra["ChatKit__Conversations__TurnLease"] = lease.ToString("c", CultureInfo.InvariantCulture);
        await stack.StartOursAsync(2, agents);
        var uris = stack.Targets["ours"].Uris;
        var apis = stack.ApiReplicas;
        var survivorPid = apis[Survivor].Pid;
        Log.Info($"replica-kill: {n} users, user i on API replica i mod 2 ({apis[Survivor].Name} survives, {apis[Victim].Name} gets SIGKILL); " +
                 $"{agents} agents; TurnLease {leaseS} s; model: first token {firstTokenMs} ms, {deltas} deltas {gapMs} ms apart; load average {Machine.LoadAvg1():F2}");

        DrillUser NewUser(int i, string prefix) => new(i, stack.Tokens.Mint($"rk-{runId}-{prefix}-{i}"), DrillTurns.NewHttp(), uris[i % 2]);
        static async Task Connect(IEnumerable<DrillUser> users) =>
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
                    var t = new DrillTurn(u.Index, u.Replica, phase, $"warm {runId} {phase} user {u.Index}");
                    await DrillTurns.RunAsync(u.Http, u.Uri, u.Token, t, u.ThreadId is null ? Ops.Create(t.Text) : Ops.AddMessage(u.ThreadId, t.Text), timeoutS);
                    u.ThreadId ??= t.ThreadId;
                    return t;
                }));
                Log.Info($"warm-up {phase}: {turns.Count(t => t.Ok)}/{turns.Length} completed{DrillTurns.Kinds(turns.Where(t => !t.Ok))}");
            }
            foreach (var u in warm) u.Dispose();
        }

        var users = Enumerable.Range(0, n).Select(i => NewUser(i, "user")).ToList();
        using var resendHttp = DrillTurns.NewHttp();
        try
        {
            // ---- create: every user makes a thread (both replicas healthy).
            await Connect(users);
            Log.Info($"create: {n} users at once");
            var creates = await DrillTurns.AllAtOnce(users, async u =>
            {
                var t = new DrillTurn(u.Index, u.Replica, "create", $"rk {runId} create user {u.Index}");
                await DrillTurns.RunAsync(u.Http, u.Uri, u.Token, t, Ops.Create(t.Text), timeoutS);
                u.ThreadId = t.ThreadId;
                return t;
            });
            Log.Info($"create: {creates.Count(t => t.Ok)}/{n} completed{DrillTurns.Kinds(creates.Where(t => !t.Ok))}");
            await Task.Delay(TimeSpan.FromSeconds(2));

            // ---- follow-ups, and the kill while they are in flight.
            var crowd = users.Where(u => u.ThreadId is not null).ToList();
            await Connect(crowd);
            var victimCount = crowd.Count(u => u.Replica == Victim);
            var threshold = Math.Max(1, (int)Math.Ceiling(victimCount * killShare));
            var victimDeltas = 0;
            var killNow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var killed = new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously);
            var resends = new System.Collections.Concurrent.ConcurrentBag<DrillTurn>();
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
            var followups = await DrillTurns.AllAtOnce(crowd, async u =>
            {
                var t = new DrillTurn(u.Index, u.Replica, "followup", $"rk {runId} followup user {u.Index}");
                Action<DrillTurn>? onDelta = u.Replica == Victim ? _ => { if (Interlocked.Increment(ref victimDeltas) == threshold) killNow.TrySetResult(); } : null;
                await DrillTurns.RunAsync(u.Http, u.Uri, u.Token, t, Ops.AddMessage(u.ThreadId!, t.Text), timeoutS, onDelta);
                if (u.Replica == Victim && !t.Ok)
                {
                    // The user's client tries again at once, through the replica that is left (as a load balancer would send it).
                    await killed.Task;
                    var r = new DrillTurn(u.Index, Survivor, "resend", $"rk {runId} resend user {u.Index}");
                    await DrillTurns.RunAsync(resendHttp, uris[Survivor], u.Token, r, Ops.AddMessage(u.ThreadId!, r.Text), timeoutS);
                    resends.Add(r);
                }
                return t;
            });
            var killMs = await killed.Task;
            await killer;
            var resendList = resends.OrderBy(r => r.User).ToList();
            Log.Info($"follow-up: {followups.Count(t => t.Ok)}/{followups.Length} completed{DrillTurns.Kinds(followups.Where(t => !t.Ok))}; " +
                     $"resends {resendList.Count(r => r.Ok)}/{resendList.Count} answered{DrillTurns.Kinds(resendList.Where(t => !t.Ok))}");

            return await ReplicaKillCheck.RunAsync(stack, apis, survivorPid, n, agents, lease, firstTokenMs, deltas, gapMs, killShare, killAfterMs, threshold,
                creates, followups, resendList, phaseStart, killMs);
        }
        finally
        {
            foreach (var u in users) u.Dispose();
        }
    }
}
