using System.Data.Common;
using Npgsql;

namespace Microsoft.Extensions.Hosting;

public static class PostgresConnections
{
    /// <summary>
    /// Connections one service process opens at most, unless its connection string says otherwise. Turns hold no
    /// connection while the model thinks, so 20 serve hundreds of turns in flight, and PostgreSQL's stock
    /// <c>max_connections=100</c> serves two replicas of each service with room to spare.
    /// </summary>
    public const int DefaultMaxPoolSize = 20;

    /// <summary>
    /// The connection string with the settings the services are measured with (docs/benchmarks.md): a small pool
    /// (<see cref="DefaultMaxPoolSize"/>), statements prepared automatically after a few uses, and no
    /// <c>DISCARD ALL</c> when a connection goes back to the pool (it would also drop the prepared statements; neither
    /// service leaves session state on a connection), and no GSSAPI encryption attempt (Npgsql's default tries it on
    /// every new connection where Kerberos libraries are installed, and the failed attempt throws: a burst that opens
    /// the pool paid for it 20 times; TLS is unaffected). Values already in the connection string win.
    /// </summary>
    public static string ForServices(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var settings = new NpgsqlConnectionStringBuilder(connectionString);
        if (settings.MaxAutoPrepare == 0) settings.MaxAutoPrepare = 64;
        if (!Has(given, "No Reset On Close", "Reset On Close")) settings.NoResetOnClose = true;
        if (!Has(given, "Maximum Pool Size", "Max Pool Size")) settings.MaxPoolSize = DefaultMaxPoolSize;
        if (!Has(given, "GSS Encryption Mode", "GssEncryptionMode")) settings.GssEncryptionMode = GssEncryptionMode.Disable;
        return settings.ConnectionString;
    }

    /// <summary>Whether the connection string sets one of the keywords (any spacing or case, as Npgsql reads them).</summary>
    static bool Has(DbConnectionStringBuilder given, params string[] keywords) => given.Keys.Cast<string>().Any(key =>
        keywords.Any(keyword => string.Equals(key.Replace(" ", ""), keyword.Replace(" ", ""), StringComparison.OrdinalIgnoreCase)));
}
