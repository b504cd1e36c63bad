using Npgsql;

namespace ChatKit.ApiService.Conversations;

/// <summary>
/// Fills the conversation store's connection pool before the service says it is ready, each connection having run the
/// turn functions once: a new PostgreSQL backend pays 5–9 ms for PL/pgSQL's first call of each, and a burst on a new
/// replica would otherwise open the whole pool and pay it inside its turns (docs/benchmarks.md, "Fenced turns").
/// Idle connections close after Npgsql's idle lifetime (5 minutes), as any others.
/// </summary>
public static class ConnectionWarmUp
{
    public static async Task FillPoolAsync(HttpClient _, IServiceProvider services, CancellationToken ct)
    {
        var dataSource = services.GetRequiredService<NpgsqlDataSource>();
        var size = Math.Max(1, new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).MaxPoolSize);
        var connections = new List<NpgsqlConnection>(size);
        try
        {
            // All open at once: opened one after another, the pool would hand back the same connection each time.
            await Task.WhenAll(Enumerable.Range(0, size).Select(async _ =>
            {
                var connection = await dataSource.OpenConnectionAsync(ct);
                lock (connections) connections.Add(connection);
                await CallTurnFunctionsAsync(connection, ct);
            }));
        }
        finally
        {
            foreach (var connection in connections) await connection.DisposeAsync();
        }
    }

    static async Task CallTurnFunctionsAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using (var claim = new NpgsqlCommand("SELECT chatkit_claim_turn($1, 2147483647)", connection))
        {
            claim.Parameters.Add(new NpgsqlParameter { Value = WarmUp.UserId });
            await claim.ExecuteNonQueryAsync(ct);
        }
        // No thread has this id: the fence raises its "lease lost" error, having been compiled.
        await using var fence = new NpgsqlCommand("SELECT chatkit_fence_turn($1, $2, $3)", connection);
        fence.Parameters.Add(new NpgsqlParameter { Value = "" });
        fence.Parameters.Add(new NpgsqlParameter { Value = WarmUp.UserId });
        fence.Parameters.Add(new NpgsqlParameter { Value = Guid.Empty });
        try
        {
            await fence.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == "CK409")
        {
        }
    }
}
