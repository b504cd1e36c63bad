using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatKit.Bench.Scenarios.Crowd;

/// <summary>One phase of the crowd against one target: every user at once, then the figures of bench/README.md.</summary>
public static class CrowdPhase
{
    public static async Task<JsonObject> RunAsync(Stack stack, FakeOpenAIServer fake, FirstTokens firstTokens, Target target, CrowdOptions o, string runId, string phase,
        List<CrowdUser> users, string warmPath, PgPoller? poller)
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
        var modelRequests = fake.Requests.Count;
        poller?.Begin();
        var meter = new ResourceMeter(target.Processes);
        var machine = Machine.CpuSnapshot();
        var selfCpu = Machine.SelfCpu();
        var wall = Stopwatch.StartNew();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = crowd.Select(async u =>
        {
            await gate.Task;
            return await CrowdTurn.RunAsync(u, phase, $"crowd {runId} {phase} user {u.Index}", o.TimeoutS);
        }).ToList();
        gate.SetResult();
        var turns = await Task.WhenAll(running);
        var seconds = wall.Elapsed.TotalSeconds;
        var usage = meter.Finish();
        var machinePct = Machine.CpuPercentSince(machine);
        var clientPct = (Machine.SelfCpu() - selfCpu) / seconds * 100;
        var pg = poller?.Take();
        modelRequests = fake.Requests.Count - modelRequests;

        foreach (var t in turns) if (t.ThreadId is not null) users[t.User].ThreadId ??= t.ThreadId;

        // The model's first token (ours: the fake model sent it; peers: respond() emitted it), matched by the message text.
        var peerMarks = isOurs ? null : await PeerMarks.TakeAsync(target);
        double? FirstToken(string key) => isOurs ? firstTokens.At(key) : peerMarks!.TryGetValue(key, out var v) ? v : null;
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
                 $"; first token → first delta p50 {Quantile.Of(tokenToDelta, 0.5):F0} ms p99 {Quantile.Of(tokenToDelta, 0.99):F0} ms ({tokenToDelta.Count} matched)" +
                 $"; turn p50 {Quantile.Of(completed.Select(t => t.EndMs - t.SentMs).ToList(), 0.5) / 1000:F2} s p99 {Quantile.Of(completed.Select(t => t.EndMs - t.SentMs).ToList(), 0.99) / 1000:F2} s" +
                 $"; peak PostgreSQL connections {(pg is null ? "?" : pg.Value.Peak.ToString(CultureInfo.InvariantCulture))}/{stack.Pg.MaxConnections}; " +
                 string.Join(", ", usage.Select(u => $"{u.Key} {u.Value.CpuSeconds:F1} s CPU / {u.Value.PeakRssMiB:F0} MiB")) +
                 $"; ckbench {clientPct:F0}% CPU, machine {machinePct:F0}%");
        return result;
    }

    static JsonObject Stats(List<double> values) => values.Count == 0
        ? new JsonObject { ["count"] = 0 }
        : new JsonObject
        {
            ["count"] = values.Count, ["p50"] = Math.Round(Quantile.Of(values, 0.5), 1), ["p99"] = Math.Round(Quantile.Of(values, 0.99), 1),
            ["min"] = Math.Round(values.Min(), 1), ["max"] = Math.Round(values.Max(), 1), ["mean"] = Math.Round(values.Average(), 1),
        };
}
