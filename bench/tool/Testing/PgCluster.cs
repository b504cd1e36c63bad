using Npgsql;

namespace ChatKit.Bench.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster from the local server binaries, on loopback, trust auth. As root the server runs as
/// the postgres user through setpriv (initdb refuses root) with its data under /var/lib/postgresql.
/// Durability settings are PostgreSQL's defaults (fsync, synchronous_commit on) for every server under test.
/// Not the shared testing library's <c>PostgresServer</c> (a fast, non-durable server for tests): the drills stop,
/// restart and SIGSTOP this one, and the figures depend on its settings (bench/README.md, "The tool").
/// </summary>
public sealed class PgCluster : IDisposable
{
    public int Port { get; }
    public string DataDir { get; }
    /// <summary>The server's max_connections: 300 for the throughput bench and the drills, PostgreSQL's stock 100 for the crowd.</summary>
    public int MaxConnections { get; }
    readonly string binDir;
    readonly bool asPostgresUser;
    Child? server;

    PgCluster(string binDir, string dataDir, int port, bool asPostgresUser, int maxConnections)
    {
        this.binDir = binDir; DataDir = dataDir; Port = port; this.asPostgresUser = asPostgresUser; MaxConnections = maxConnections;
    }

    public static string FindBinDir() =>
        Environment.GetEnvironmentVariable("PG_BIN") is { Length: > 0 } bin ? bin
        : Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "postgres")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault() ?? throw new InvalidOperationException("no PostgreSQL server binaries under /usr/lib/postgresql")
            : throw new InvalidOperationException("no PostgreSQL server binaries; apt-get install postgresql");

    public static async Task<PgCluster> CreateAsync(string name, int maxConnections = 300)
    {
        var root = Environment.UserName == "root";
        // One directory per ckbench process: two runs must never share (or delete) each other's cluster.
        var dataDir = root ? $"/var/lib/postgresql/chatkit-bench-{name}-{Environment.ProcessId}" : Path.Combine(Paths.Work, $"pg-{name}-{Environment.ProcessId}");
        if (Directory.Exists(dataDir)) Directory.Delete(dataDir, recursive: true);
        var c = new PgCluster(FindBinDir(), dataDir, Net.FreePort(), root, maxConnections);
        if (root)
        {
            Directory.CreateDirectory(dataDir);
            await Run("chown", ["postgres:postgres", dataDir]);
        }
        await c.RunAsServerUser(Path.Combine(c.binDir, "initdb"), ["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
        await c.StartAsync();
        return c;
    }

    public string ConnectionString(string db) => $"Host=127.0.0.1;Port={Port};Username=postgres;Database={db}";
    public string Url(string db) => $"postgres://postgres@127.0.0.1:{Port}/{db}";

    public async Task StartAsync()
    {
        string[] args =
        [
            "-D", DataDir, "-p", Port.ToString(), "-k", "/tmp", "-c", "listen_addresses=127.0.0.1",
            // auto_explain stays off (log_min_duration -1 by default) until the scale step turns it on with ALTER SYSTEM.
            "-c", $"max_connections={MaxConnections}", "-c", "shared_preload_libraries=auto_explain",
        ];
        server = asPostgresUser
            ? Child.Start("postgres", "setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", Path.Combine(binDir, "postgres"), .. args])
            : Child.Start("postgres", Path.Combine(binDir, "postgres"), args);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await using var conn = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false;Timeout=2");
                await conn.OpenAsync();
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline && server.Alive) { await Task.Delay(100); }
        }
    }

    /// <summary>The postmaster's pid (its backends are its children).</summary>
    public int Pid => server is null ? 0 : PostmasterPid();

    int PostmasterPid()
    {
        // setpriv execs postgres in place, so the child's pid is the postmaster's.
        return server!.Pid;
    }

    /// <summary>Fast shutdown (SIGINT): open sessions are cut, as when a managed database restarts.</summary>
    public void Stop()
    {
        server?.Stop(signal: 2, graceMs: 15000);
        server?.Dispose();
        server = null;
    }

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

    async Task RunAsServerUser(string file, string[] args)
    {
        if (asPostgresUser) await Run("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", file, .. args]);
        else await Run(file, args);
    }

    static async Task Run(string file, string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/tmp" };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} failed ({p.ExitCode}): {await err}");
    }

    public void Dispose()
    {
        Stop();
        try { if (Directory.Exists(DataDir)) Directory.Delete(DataDir, recursive: true); } catch (IOException) { }
    }
}
