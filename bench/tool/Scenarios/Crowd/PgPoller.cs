using Npgsql;

namespace ChatKit.Bench.Scenarios.Crowd;

/// <summary>
/// Polls pg_stat_activity every ~100 ms on one connection, opened while the database is idle before the target's
/// warm-up and kept to its end (when the services hold every slot, a new connection would be refused): client
/// backends, in all and per database, its own not counted. <see cref="Begin"/> and <see cref="Take"/> bound a phase.
/// </summary>
public sealed class PgPoller : IAsyncDisposable
{
    readonly NpgsqlConnection conn;
    readonly CancellationTokenSource stop = new();
    readonly object gate = new();
    Dictionary<string, int> peakByDb = [];
    readonly Task loop;
    int peak, samples;

    PgPoller(NpgsqlConnection conn) { this.conn = conn; loop = Task.Run(Loop); }

    public static async Task<PgPoller?> Start(BenchPostgres pg)
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
