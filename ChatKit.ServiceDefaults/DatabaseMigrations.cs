using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>Applies a service's checked-in EF Core migrations before it starts serving (eShop's migrate-on-start).</summary>
public static class DatabaseMigrations
{
    /// <summary>
    /// Runs pending migrations, retrying briefly while the database is still coming up
    /// (a service started outside the AppHost has no WaitFor to rely on).
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

    static bool IsTransient(Exception ex) =>
        ex is System.Data.Common.DbException { IsTransient: true } or System.Net.Sockets.SocketException or TimeoutException
        || ex.InnerException is { } inner && IsTransient(inner);
}
