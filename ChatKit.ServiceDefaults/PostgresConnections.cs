using Npgsql;

namespace Microsoft.Extensions.Hosting;

public static class PostgresConnections
{
    /// <summary>
    /// The connection string with the settings the services' write paths are measured with (docs/benchmarks.md):
    /// statements prepared automatically after a few uses, and no <c>DISCARD ALL</c> when a connection goes back to
    /// the pool (it would also drop the prepared statements). The only session state either service creates, a turn's
    /// advisory lock in the API, is released explicitly, and its pool is cleared if that fails (ThreadTurn).
    /// Values already in the connection string win.
    /// </summary>
    public static string ForServices(string connectionString)
    {
        var settings = new NpgsqlConnectionStringBuilder(connectionString);
        if (settings.MaxAutoPrepare == 0) settings.MaxAutoPrepare = 64;
        if (!connectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase)
            && !connectionString.Contains("NoResetOnClose", StringComparison.OrdinalIgnoreCase))
        {
            settings.NoResetOnClose = true;
        }
        return settings.ConnectionString;
    }
}
