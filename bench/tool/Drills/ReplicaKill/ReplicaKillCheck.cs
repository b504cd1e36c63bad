using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using ChatKit.Bench.Drills.Turns;

namespace ChatKit.Bench.Drills.ReplicaKill;

/// <summary>The replica-kill drill's checks, from the clients' records and conversationsdb, and its summary.</summary>
public static class ReplicaKillCheck
{
    const int Survivor = ReplicaKillDrill.Survivor, Victim = ReplicaKillDrill.Victim;

    /// <summary>A resend may wait the lease (it was renewed at most TurnLease ago), plus the store's lease polling (at most 0.5 s apart) and load.</summary>
    static readonly TimeSpan LeaseSlack = TimeSpan.FromSeconds(2);

    public static async Task<JsonObject> RunAsync(Stack stack, IReadOnlyList<Child> apis, int survivorPid, int n, int agents, TimeSpan lease,
        int firstTokenMs, int deltas, int gapMs, double killShare, int? killAfterMs, int threshold,
        DrillTurn[] creates, DrillTurn[] followups, List<DrillTurn> resends, double phaseStart, double killMs)
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
        int At(Func<DrillTurn, bool> p) => victimTurns.Count(p);
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

        static string P(List<double> v) => v.Count == 0 ? "–" : $"{Quantile.Of(v, 0.5) / 1000:F2} / {Quantile.Of(v, 0.99) / 1000:F2} s";
        static string S(List<double> v) => v.Count == 0 ? "–" : $"{Quantile.Of(v, 0.5) / 1000:F2} / {Quantile.Of(v, 0.99) / 1000:F2} / {v.Max() / 1000:F2} s";
        var killWhen = killAfterMs is { } ms ? $"{ms} ms after the follow-ups started" : $"once {threshold} of its clients ({killShare:P0}) had read a first text delta";
        var summary = $"""
            Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC: {n} users on two API replicas (user *i* on replica *i* mod 2) and {agents} agent{(agents > 1 ? "s" : "")}, one PostgreSQL (`max_connections={stack.Pg.MaxConnections}`), the crowd's fake model (first text delta after {firstTokenMs:N0} ms, then {deltas - 1} more {gapMs} ms apart); `ChatKit:Conversations:TurnLease` set to **{lease.TotalSeconds:F0} s** for the drill (`ChatKit__Conversations__TurnLease`; default 15 s). Each user creates a thread, then all send a follow-up at once; `{apis[Victim].Name}` gets SIGKILL {killWhen}, {(killMs - phaseStart) / 1000:F2} s into the follow-ups. Each of its clients whose turn did not complete sends a new message to the same thread through `{apis[Survivor].Name}` at once. **{(passed ? "Passed" : "Failed")}.**

            | figure | value |
            |---|---|
            | new threads (both replicas up) | {creates.Count(t => t.Ok)} / {n} completed{DrillTurns.Kinds(creates.Where(t => !t.Ok))} |
            | killed replica's follow-ups at the kill | {atKill["completed"]} completed, {atKill["mid_answer"]} mid-answer (text streaming), {atKill["acknowledged_waiting_for_model"]} acknowledged and waiting for the model's first token, {atKill["not_acknowledged"]} not yet acknowledged (of {victimTurns.Count}) |
            | killed replica's clients | **{victimCut.Count} streams cut** ({DrillTurns.Kinds(victimCut, "")}), {victimCompleted.Count} completed before the kill{(victimOther.Count > 0 ? $", **{victimOther.Count} other**: {DrillTurns.Kinds(victimOther, "")}" : ", none hung")} |
            | surviving replica's follow-ups | {survivorOk} / {survivorTurns.Count} completed normally{DrillTurns.Kinds(survivorTurns.Where(t => !t.Ok))}; whole turn p50 / p99 {P(survivorTurns.Where(t => t.Ok).Select(t => t.EndMs!.Value - t.SentMs).ToList())} |
            | acknowledged user messages missing from `thread_items` | **{missing.Count}** of {acked.Count} (create {acked.Count(t => t.Phase == "create")}, follow-up {acked.Count(t => t.Phase == "followup")}, resend {acked.Count(t => t.Phase == "resend")}){(missing.Count > 0 ? ": " + string.Join("; ", missing.Take(5)) : "")} |
            | killed replica's follow-ups never acknowledged, stored anyway | {unackedStored.Count} of {unacked.Count} (no promise was made for these) |
            | cut threads resent through the survivor and answered (answer stored after the resend) | {resendOk.Count} / {cutThreads.Count}{DrillTurns.Kinds(resends.Where(t => !t.Ok))} |
            | resend waited for the dead replica's lease (send → its user message acknowledged) p50 / p99 / max | {S(waits)} (bound: TurnLease + {LeaseSlack.TotalSeconds:F0} s = {waitBound / 1000:F0} s) |
            | kill → resend acknowledged p50 / p99 / max | {S(killToAck)} |
            | resend whole turn (send → end of stream) p50 / p99 / max | {S(resendTurn)} |
            | 5xx / other failures from the surviving replica (all phases) | {survivor5xx} / {survivorErrors.Count - survivor5xx}{DrillTurns.Kinds(survivorErrors)} |
            | processes | `{apis[Victim].Name}` {(victimDead ? "dead" : "**still running**")}; `{apis[Survivor].Name}` {(survivorAlive ? "the same process throughout" : "**restarted or died**")}; thread leases still held at the end: {leasesHeld} |
            """;

        static JsonObject Stats(List<double> v) => v.Count == 0 ? new JsonObject { ["count"] = 0 } : new JsonObject
        {
            ["count"] = v.Count, ["p50"] = Math.Round(Quantile.Of(v, 0.5), 1), ["p99"] = Math.Round(Quantile.Of(v, 0.99), 1),
            ["min"] = Math.Round(v.Min(), 1), ["max"] = Math.Round(v.Max(), 1),
        };
        static JsonNode Outcomes(IEnumerable<DrillTurn> turns) =>
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
}
