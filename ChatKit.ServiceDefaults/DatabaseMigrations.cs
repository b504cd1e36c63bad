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
        // A service that registers a context factory (not a scoped context) migrates with a context of its own.
        await using var db = scope.ServiceProvider.GetService<IDbContextFactory<TContext>>() is { } factory
            ? await factory.CreateDbContextAsync(ct)
            : scope.ServiceProvider.GetRequiredService<TContext>();
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseMigrations));
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var migrationLock = await LockAsync(db, typeof(TContext).FullName!, ct);
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
    /// A session advisory lock on the context's own connection, which the migrations then run on. The connection
    /// comes from the service's pool (a data source hands out no password to open another one), and the pools skip the
    /// session reset, so the lock is released explicitly before the connection goes back.
    /// </summary>
    static async Task<IAsyncDisposable> LockAsync(DbContext db, string name, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await AdvisoryAsync(db, "pg_advisory_lock", name, ct);
            return new MigrationLock(db, name);
        }
        catch
        {
            await db.Database.CloseConnectionAsync();
            throw;
        }
    }

    static async Task AdvisoryAsync(DbContext db, string function, string name, CancellationToken ct)
    {
        await using var command = (NpgsqlCommand)db.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"SELECT {function}(hashtextextended($1, 0))";
        command.Parameters.Add(new NpgsqlParameter { Value = "migrations:" + name });
        await command.ExecuteNonQueryAsync(ct);
    }

    sealed class MigrationLock(DbContext db, string name) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await AdvisoryAsync(db, "pg_advisory_unlock", name, CancellationToken.None);
            }
            catch
            {
                // A connection that may still hold the lock must not be reused: PostgreSQL releases it when it closes.
                NpgsqlConnection.ClearPool((NpgsqlConnection)db.Database.GetDbConnection());
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        }
    }

    static bool IsTransient(Exception ex) =>
        ex is System.Data.Common.DbException { IsTransient: true } or System.Net.Sockets.SocketException or TimeoutException
        || ex.InnerException is { } inner && IsTransient(inner);
}
