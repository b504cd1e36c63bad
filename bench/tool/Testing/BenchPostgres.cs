using Npgsql;

namespace ChatKit.Bench.Testing;

/// <summary>
/// The run's PostgreSQL: the shared testing library's <see cref="PostgresServer"/>, set up as production would be
/// (bench/README.md, "What runs"), and the queries bench makes on it. The drills stop, restart and pause <see cref="Server"/>.
/// </summary>
public sealed class BenchPostgres(PostgresServer server) : IAsyncDisposable
{
    public PostgresServer Server => server;
    public int Port => server.Port;

    /// <summary>The server's max_connections: 300 for the throughput bench and the drills, PostgreSQL's stock 100 for the crowd.</summary>
    public int MaxConnections => server.Options.MaxConnections ?? 100;

    /// <summary>The server's log (the scale step cuts auto_explain's plans out of it).</summary>
    public string LogFile => server.Options.LogFile!;

    public static async Task<BenchPostgres> StartAsync(int maxConnections)
    {
        // One run's log per file, as the other processes' logs (the server appends to it).
        var logFile = Path.Combine(Directory.CreateDirectory(Path.Combine(Paths.Work, "logs")).FullName, "postgres.log");
        File.Delete(logFile);
        var server = new PostgresServer(new PostgresServerOptions
        {
            Durable = true,
            // In ckbench's session, as the services under test are: measured against a server that shares the CPU as
            // they do, not one the kernel gives half of it (PostgresServerOptions.InThisSession).
            InThisSession = true,
            // PostgreSQL's own disk, not a tmpfs /tmp; without root (no postgres user to run it as) bench's work folder.
            DataRoot = Environment.UserName == "root" ? "/var/lib/postgresql" : Paths.Work,
            DirectoryPrefix = "chatkit-bench-pg-",
            MaxConnections = maxConnections,
            // auto_explain stays off (log_min_duration -1 by default) until the scale step turns it on with ALTER SYSTEM.
            Settings = ["shared_preload_libraries=auto_explain"],
            LogFile = logFile,
        });
        await server.StartAsync();
        return new BenchPostgres(server);
    }

    /// <summary>What the services and the pollers connect with (Npgsql's own timeouts, not the tests' shorter one).</summary>
    public string ConnectionString(string db) => $"Host=127.0.0.1;Port={Port};Username=postgres;Database={db}";
    public string Url(string db) => $"postgres://postgres@127.0.0.1:{Port}/{db}";

    public async Task CreateDatabasesAsync(params string[] names)
    {
        await using var conn = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
        await conn.OpenAsync();
        foreach (var n in names)
        {
            await using var cmd = new NpgsqlCommand($"create database \"{n}\"", conn);
            await cmd.ExecuteNonQueryAsync();
        }
    }

    public async Task<T?> ScalarAsync<T>(string db, string sql)
    {
        await using var conn = new NpgsqlConnection(ConnectionString(db) + ";Pooling=false");
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        var r = await cmd.ExecuteScalarAsync();
        return r is null or DBNull ? default : (T)Convert.ChangeType(r, typeof(T));
    }

    public async Task ExecAsync(string db, string sql, int timeoutSeconds = 600)
    {
        await using var conn = new NpgsqlConnection(ConnectionString(db) + ";Pooling=false;Command Timeout=" + timeoutSeconds);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task<List<string>> LinesAsync(string db, string sql)
    {
        var lines = new List<string>();
        await using var conn = new NpgsqlConnection(ConnectionString(db) + ";Pooling=false");
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) lines.Add(r.IsDBNull(0) ? "" : Convert.ToString(r.GetValue(0))!);
        return lines;
    }

    /// <summary>Stops the server and deletes its data; with BENCH_KEEP_PG=1 only stops it (the data stays until the next run starts).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Environment.GetEnvironmentVariable("BENCH_KEEP_PG") == "1") await server.StopAsync();
        else await server.DisposeAsync();
    }
}
