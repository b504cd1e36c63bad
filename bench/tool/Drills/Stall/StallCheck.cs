using System.Text.Json.Nodes;
using Npgsql;
using ChatKit.Bench.Drills.Turns;

namespace ChatKit.Bench.Drills.Stall;

/// <summary>The stall drill's checks, from the clients' records and conversationsdb, and its summary.</summary>
public static class StallCheck
{
    const int Survivor = StallDrill.Survivor, Victim = StallDrill.Victim;

    public static async Task<JsonObject> RunAsync(Stack stack, string runId, int n, TimeSpan lease, TimeSpan pause,
        DrillTurn[] creates, DrillTurn[] pgRound, DrillTurn[] freezeRound, DrillTurn[] resends)
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
        bool Stopped(DrillTurn t) => t.Outcome.StartsWith("error event", StringComparison.Ordinal) && t.Outcome.Contains("stopped", StringComparison.Ordinal);
        var frozenStopped = frozenTurns.Where(Stopped).ToList();
        var frozenAnswered = frozenTurns.Where(t => t.Ok).ToList();
        var frozenStoppedWrote = frozenStopped.Count(t => t.UserItemId is not null && answersAfter.GetValueOrDefault(t.UserItemId) > 0);
        bool Ended(DrillTurn t) => t.Ok || t.Outcome.StartsWith("error event", StringComparison.Ordinal);
        var hung = all.Where(t => !Ended(t)).ToList();
        var fivexx = all.Count(t => t.Status >= 500);

        var passed = creates.Length == n && creates.All(t => t.Ok) && lost.Count == 0 && twice.Count == 0 && orphans == 0
                     && resends.Length == frozenTurns.Count && resendsAnswered == resends.Length
                     && survivorTurns.All(t => t.Ok) && frozenTurns.All(t => t.Ok || Stopped(t)) && frozenStoppedWrote == 0
                     && hung.Count == 0 && fivexx == 0 && leasesHeld == 0;

        static string P(IEnumerable<DrillTurn> turns)
        {
            var v = turns.Where(t => t.EndMs is not null).Select(t => t.EndMs!.Value - t.SentMs).ToList();
            return v.Count == 0 ? "–" : $"{Quantile.Of(v, 0.5) / 1000:F2} / {Quantile.Of(v, 0.99) / 1000:F2} s";
        }
        var summary = $"""
            Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC: {n} users on two API replicas (user *i* on replica *i* mod 2) and one agent, one PostgreSQL, the crowd's fake model; `ChatKit:Conversations:TurnLease` **{lease.TotalSeconds:F0} s** for the drill. Each user has a thread; then two rounds of follow-ups from all users at once, each disturbed once a quarter of the clients read text: PostgreSQL paused (SIGSTOP to all its processes) for {pause.TotalSeconds:F0} s; then one API replica frozen (SIGSTOP) until its leases ran out, its users sending a new message through the other replica, and the frozen replica resumed (SIGCONT) while those answers streamed. **{(passed ? "Passed" : "Failed")}.**

            | figure | value |
            |---|---|
            | new threads | {creates.Count(t => t.Ok)} / {n} answered{DrillTurns.Kinds(creates.Where(t => !t.Ok))} |
            | PostgreSQL paused: follow-ups | {pgRound.Count(t => t.Ok)} / {pgRound.Length} answered{DrillTurns.Kinds(pgRound.Where(t => !t.Ok))}; whole turn p50 / p99 {P(pgRound)} |
            | replica frozen: the other replica's follow-ups | {survivorTurns.Count(t => t.Ok)} / {survivorTurns.Count} answered{DrillTurns.Kinds(survivorTurns.Where(t => !t.Ok))} |
            | replica frozen: its own follow-ups | {frozenAnswered.Count} answered before the freeze, **{frozenStopped.Count} stopped** with the error event (their lease taken), {frozenTurns.Count - frozenAnswered.Count - frozenStopped.Count} other{DrillTurns.Kinds(frozenTurns.Where(t => !t.Ok && !Stopped(t)))} |
            | stopped turns that wrote anything after their user message | **{frozenStoppedWrote}** |
            | resends through the other replica, answered | {resendsAnswered} / {resends.Length}{DrillTurns.Kinds(resends.Where(t => !t.Ok))}; whole turn p50 / p99 {P(resends)} |
            | acknowledged user messages missing from their thread | **{lost.Count}** of {acked.Count} |
            | user messages answered more than once (or answers interleaved) | **{twice.Count}**{(twice.Count > 0 ? ": " + string.Join("; ", twice.Take(3)) : "")}; answers before any user message: {orphans} |
            | streams that hung, or 5xx | {hung.Count}{DrillTurns.Kinds(hung)} / {fivexx} |
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
