using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatKit.Bench.Scenarios.Scale;

/// <summary>
/// `ckbench tasks-scale`: what one "what's on my list?" turn costs for a person with few tasks and for one with many
/// (bench/README.md). Ours runs the built-in local model, which calls list_tasks; each user's tasks are inserted with
/// SQL; the turns run one at a time, the sizes alternating in rounds so that the machine's drift hits both alike.
/// Reported per size: the client's latency (p50, p99) and the CPU of the API, the agent and PostgreSQL per turn.
/// </summary>
public static class TaskScaleRun
{
    const string Message = "what's on my list?";

    public static async Task<int> RunAsync(int[] sizes, int turns, bool build)
    {
        const int rounds = 4;
        if (build) await Stack.BuildOursAsync();
        await using var stack = await Stack.StartAsync();
        await stack.StartOursAsync();
        var target = stack.Targets["ours"];
        using var client = new ChatKitClient(target.BaseUri);

        var tokens = new Dictionary<int, string>();
        foreach (var n in sizes)
        {
            var user = $"tasks-scale-{n}";
            await stack.Pg.ExecAsync("tasksdb",
                "INSERT INTO tasks (owner_id, title, description, completed, created_at, updated_at) " +
                $"SELECT '{user}', 'task number ' || g, NULL, g % 3 = 0, now(), now() FROM generate_series(1, {n}) g; ANALYZE tasks;");
            tokens[n] = stack.Tokens.Mint(user);
            // Unmeasured: JIT and pools, for both sizes.
            for (var i = 0; i < 30; i++) await Turn(client, tokens[n]);
        }

        var latencies = sizes.ToDictionary(n => n, _ => new List<double>());
        var cpu = sizes.ToDictionary(n => n, _ => new Dictionary<string, double>());
        for (var round = 0; round < rounds; round++)
        {
            foreach (var n in sizes)
            {
                var meter = new ResourceMeter(target.Processes);
                for (var i = 0; i < turns / rounds; i++) latencies[n].Add(await Turn(client, tokens[n]));
                foreach (var (name, usage) in meter.Finish())
                    cpu[n][name] = cpu[n].GetValueOrDefault(name) + usage.CpuSeconds;
            }
        }

        var results = new JsonArray();
        foreach (var n in sizes)
        {
            var sorted = latencies[n].Order().ToList();
            double Q(double q) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
            var perTurn = cpu[n].ToDictionary(c => c.Key, c => Math.Round(c.Value * 1000 / sorted.Count, 3));
            results.Add(new JsonObject
            {
                ["tasks"] = n, ["turns"] = sorted.Count, ["p50_ms"] = Math.Round(Q(0.5), 2), ["p99_ms"] = Math.Round(Q(0.99), 2),
                ["cpu_ms_per_turn"] = JsonSerializer.SerializeToNode(perTurn), ["cpu_ms_per_turn_total"] = Math.Round(perTurn.Values.Sum(), 3),
            });
            Log.Info($"{n,6} tasks: p50 {Q(0.5):F2} ms, p99 {Q(0.99):F2} ms, CPU per turn {perTurn.Values.Sum():F2} ms " +
                     $"({string.Join(", ", perTurn.Select(c => $"{c.Key} {c.Value:F2}"))})");
        }
        var first = results[0]!;
        var last = results[^1]!;
        Log.Info($"ratio {last["tasks"]} / {first["tasks"]} tasks: p50 {(double)last["p50_ms"]! / (double)first["p50_ms"]!:F2}, " +
                 $"CPU {(double)last["cpu_ms_per_turn_total"]! / (double)first["cpu_ms_per_turn_total"]!:F2}");
        var path = Path.Combine(Paths.Results, $"tasks-scale-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        File.WriteAllText(path, new JsonObject
        {
            ["started_utc"] = DateTime.UtcNow.ToString("O"), ["machine"] = Machine.Describe(), ["message"] = Message, ["results"] = results,
        }.ToJsonString(Json.Options));
        Log.Info($"results: {path}");
        return 0;
    }

    static async Task<double> Turn(ChatKitClient client, string token)
    {
        var watch = Stopwatch.StartNew();
        var reply = await client.StreamAsync(token, Ops.Create(Message));
        if (reply.Status != 200 || reply.Error is not null) throw new InvalidOperationException("turn failed: " + reply.Raw);
        return watch.Elapsed.TotalMilliseconds;
    }
}
