using System.Globalization;
using System.Text.Json.Nodes;
using ChatKit.Bench.Drills.Turns;

namespace ChatKit.Bench.Drills.Stall;

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
public static class StallDrill
{
    internal const int Survivor = 0, Victim = 1;

    public static async Task<JsonObject> RunAsync(DrillOptions o)
    {
        var n = (o.Users ?? 100);
        var timeoutS = (o.Timeout ?? 120);
        var lease = TimeSpan.FromSeconds((o.TurnLease ?? 5));
        var pause = lease + TimeSpan.FromSeconds(3);

        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));
        var runId = Guid.NewGuid().ToString("N")[..6];
        using var fake = new FakeOpenAIServer();
        fake.Use(FakeModel.Paced(o.FirstTokenMs ?? 2000, o.Deltas ?? 10, o.DeltaGapMs ?? 100));
        await using var stack = await Stack.StartAsync((o.PgMaxConnections ?? 100));
        stack.UseModel(fake);
        stack.ApiEnvExtra["ChatKit__Conversations__TurnLease"] = lease.ToString("c", CultureInfo.InvariantCulture);
        await stack.StartOursAsync(2, 1);
        var uris = stack.Targets["ours"].Uris;
        var apis = stack.ApiReplicas;
        Log.Info($"stall: {n} users on two API replicas; TurnLease {lease.TotalSeconds:F0} s; PostgreSQL paused {pause.TotalSeconds:F0} s; " +
                 $"load average {Machine.LoadAvg1():F2}");

        var users = Enumerable.Range(0, n).Select(i => new DrillUser(i, stack.Tokens.Mint($"stall-{runId}-{i}"), DrillTurns.NewHttp(), uris[i % 2])).ToList();
        using var resendHttp = DrillTurns.NewHttp();
        try
        {
            var creates = await DrillTurns.AllAtOnce(users, async u =>
            {
                var t = new DrillTurn(u.Index, u.Replica, "create", $"stall {runId} create {u.Index}");
                await DrillTurns.RunAsync(u.Http, u.Uri, u.Token, t, Ops.Create(t.Text), timeoutS);
                u.ThreadId = t.ThreadId;
                return t;
            });
            Log.Info($"create: {creates.Count(t => t.Ok)}/{n} answered{DrillTurns.Kinds(creates.Where(t => !t.Ok))}");
            var crowd = users.Where(u => u.ThreadId is not null).ToList();

            // ---- round 1: PostgreSQL paused past the lease while the turns stream.
            var pgRound = await RoundAsync(crowd, "pg-pause", runId, timeoutS, async () =>
            {
                var pg = ProcStats.Tree(stack.Pg.Server.Pid);
                foreach (var pid in pg) Syscall.Kill(pid, Sigstop);
                Log.Info($"SIGSTOP to {pg.Count} PostgreSQL processes for {pause.TotalSeconds:F0} s");
                await Task.Delay(pause);
                foreach (var pid in pg) Syscall.Kill(pid, Sigcont);
                Log.Info("SIGCONT to PostgreSQL");
            });
            Log.Info($"pg-pause: {pgRound.Count(t => t.Ok)}/{pgRound.Length} answered{DrillTurns.Kinds(pgRound.Where(t => !t.Ok))}");

            // ---- round 2: a replica frozen past the lease; its users send again through the other one.
            var resends = new List<Task<DrillTurn>>();
            var freezeRound = await RoundAsync(crowd, "freeze", runId, timeoutS, async () =>
            {
                var frozen = ProcStats.Tree(apis[Victim].Pid);
                foreach (var pid in frozen) Syscall.Kill(pid, Sigstop);
                Log.Info($"SIGSTOP to {apis[Victim].Name} ({frozen.Count} processes)");
                await Task.Delay(lease + TimeSpan.FromSeconds(1));
                var sent = crowd.Where(u => u.Replica == Victim).Select(u => new DrillTurn(u.Index, Survivor, "resend", $"stall {runId} resend {u.Index}")).ToList();
                resends.AddRange(sent.Select(async r =>
                {
                    await DrillTurns.RunAsync(resendHttp, uris[Survivor], users[r.User].Token, r, Ops.AddMessage(users[r.User].ThreadId!, r.Text), timeoutS);
                    return r;
                }));
                // Resume while the turns that took over still stream: the frozen turns' writes would land among them.
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
                while (sent.Any(r => r.AckMs is null && r.EndMs is null) && DateTime.UtcNow < deadline) await Task.Delay(50);
                foreach (var pid in frozen) Syscall.Kill(pid, Sigcont);
                Log.Info($"SIGCONT to {apis[Victim].Name}; {sent.Count(r => r.AckMs is not null)}/{sent.Count} resends acknowledged");
            });
            var resent = await Task.WhenAll(resends);
            Log.Info($"freeze: {freezeRound.Count(t => t.Ok)}/{freezeRound.Length} answered{DrillTurns.Kinds(freezeRound.Where(t => !t.Ok))}; " +
                     $"resends {resent.Count(t => t.Ok)}/{resent.Length} answered{DrillTurns.Kinds(resent.Where(t => !t.Ok))}");

            await Task.Delay(TimeSpan.FromSeconds(1));
            return await StallCheck.RunAsync(stack, runId, n, lease, pause, creates, pgRound, freezeRound, resent);
        }
        finally
        {
            foreach (var u in users) u.Dispose();
        }
    }

    const int Sigstop = 19, Sigcont = 18;

    /// <summary>Every user sends a follow-up at once; <paramref name="disturb"/> runs once a quarter of them read text.</summary>
    static async Task<DrillTurn[]> RoundAsync(List<DrillUser> crowd, string phase, string runId, int timeoutS, Func<Task> disturb)
    {
        var threshold = Math.Max(1, crowd.Count / 4);
        var reading = 0;
        var streaming = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var disturbance = Task.Run(async () =>
        {
            await Task.WhenAny(streaming.Task, Task.Delay(TimeSpan.FromSeconds(30)));
            await disturb();
        });
        var turns = await DrillTurns.AllAtOnce(crowd, async u =>
        {
            var t = new DrillTurn(u.Index, u.Replica, phase, $"stall {runId} {phase} {u.Index}");
            await DrillTurns.RunAsync(u.Http, u.Uri, u.Token, t, Ops.AddMessage(u.ThreadId!, t.Text), timeoutS,
                _ => { if (Interlocked.Increment(ref reading) == threshold) streaming.TrySetResult(); });
            return t;
        });
        await disturbance;
        return turns;
    }
}
