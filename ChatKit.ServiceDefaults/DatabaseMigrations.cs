using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Microsoft.Extensions.Hosting;

/// <summary>Applies a service's checked-in EF Core migrations before it starts serving (eShop's migrate-on-start).</summary>
public static class DatabaseMigrations
{
    /// <summary>
    /// Runs pending migrations, retrying briefly while the database is still coming up (a service started outside the
    /// AppHost has no WaitFor to rely on). Replicas starting together take turns: each migrates under a PostgreSQL
    /// advisory lock, so the first applies the migrations and the others find nothing left to do.
    /// </summary>
    public static async Task MigrateDatabaseAsync<TContext>(this IHost app, CancellationToken ct = default) where TContext : DbContext
    {
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseMigrations));
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var migrationLock = await LockAsync(db.Database.GetConnectionString()!, typeof(TContext).FullName!, ct);
                await db.Database.MigrateAsync(ct);
                return;
            }
            catch (Exception ex) when (attempt < 10 && ex is not OperationCanceledException && IsTransient(ex))
            {
                logger.LogWarning("Database not reachable yet ({Message}); retrying migrations (attempt {Attempt}).", ex.Message, attempt);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), ct);
            }
        }
    }

    /// <summary>
    /// A session advisory lock on its own unpooled connection (closing it releases the lock; a pooled connection
    /// would keep it, as the services' pools skip the session reset).
    /// </summary>
    static async Task<NpgsqlConnection> LockAsync(string connectionString, string name, CancellationToken ct)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand("SELECT pg_advisory_lock(hashtextextended($1, 0))", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = "migrations:" + name });
            await command.ExecuteNonQueryAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    static bool IsTransient(Exception ex) =>
        ex is System.Data.Common.DbException { IsTransient: true } or System.Net.Sockets.SocketException or TimeoutException
        || ex.InnerException is { } inner && IsTransient(inner);
}
