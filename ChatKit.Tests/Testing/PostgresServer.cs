using System.Diagnostics;
using System.Net.Sockets;
using Npgsql;

namespace ChatKit.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster from the machine's server binaries (newest <c>/usr/lib/postgresql/N/bin</c>, or
/// <c>PG_BIN</c>): initdb and pg_ctl on a free loopback port, trust authentication, set up by
/// <see cref="PostgresServerOptions"/> (by default in a temporary directory, no fsync). Stopped and deleted on dispose.
/// As root (CI containers) the server runs as the <c>postgres</c> user through setpriv, as the AppHost's local mode does.
/// Tests share one per run (<see cref="SharedAsync"/>), one database per fixture; the benchmark starts a durable one
/// per run, and its drills stop, restart and pause it (<see cref="StopAsync"/>, <see cref="Pid"/>).
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    static readonly Lazy<Task<PostgresServer>> shared = new(StartSharedAsync);

    /// <summary>The run's server, started on first use and stopped when the process exits.</summary>
    public static Task<PostgresServer> SharedAsync() => shared.Value;

    static async Task<PostgresServer> StartSharedAsync()
    {
        var server = new PostgresServer();
        await server.StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return server;
    }

    static readonly bool IsRoot = Environment.UserName == "root";

    readonly string binDir = FindBinDir();
    readonly string dataDir;
    readonly string logFile;
    Process? postmaster;
    int databases;

    public PostgresServer(PostgresServerOptions? options = null)
    {
        Options = options ?? new();
        var prefix = Options.DirectoryPrefix;
        dataDir = Path.Combine(Options.DataRoot, $"{prefix}{Environment.ProcessId}-{Guid.NewGuid():N}"[..(prefix.Length + 20)]);
        logFile = Options.LogFile ?? Path.Combine(dataDir, "server.log");
    }

    public PostgresServerOptions Options { get; }

    public int Port { get; private set; }

    /// <summary>
    /// The postmaster's pid, from the first line of its postmaster.pid (pg_ctl starts it detached, so it may be no child
    /// of ours; its backends are its children); 0 while the server is stopped.
    /// </summary>
    public int Pid
    {
        get
        {
            try
            {
                return int.TryParse(File.ReadLines(PidFile).FirstOrDefault(), out var pid) ? pid : 0;
            }
            catch (IOException)
            {
                return 0;
            }
        }
    }

    string PidFile => Path.Combine(dataDir, "postmaster.pid");

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Timeout=10";

    /// <summary>Creates the cluster and starts it on a free port; after <see cref="StopAsync"/>, starts it again on the same port and data.</summary>
    public async Task StartAsync()
    {
        if (Port != 0)
        {
            await StartServerAsync();
            return;
        }
        await DeleteAbandonedClustersAsync();
        Directory.CreateDirectory(dataDir);
        if (IsRoot) await RunAsync("chown", "postgres:postgres", dataDir);
        if (Options.LogFile is not null)
        {
            // pg_ctl opens the log as the server's user: outside the data directory it must exist and be theirs.
            await File.AppendAllTextAsync(logFile, "");
            if (IsRoot) await RunAsync("chown", "postgres:postgres", logFile);
        }
        await RunAsServerUserAsync(Path.Combine(binDir, "initdb"), "-D", dataDir, "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8",
            "--auth=trust", "--no-sync", "--no-instructions");
        // Another process may take the free port between the probe and the start: try a few.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort();
            try
            {
                await StartServerAsync();
                return;
            }
            catch (InvalidOperationException) when (attempt < 3 && ServerLog().Contains("could not bind", StringComparison.Ordinal))
            {
            }
        }
    }

    Task StartServerAsync()
    {
        List<string> settings = Options.Durable ? [] : ["fsync=off", "synchronous_commit=off", "full_page_writes=off"];
        if (Options.MaxConnections is { } max) settings.Add($"max_connections={max}");
        settings.AddRange(Options.Settings);
        string[] server = ["-p", $"{Port}", "-h", "127.0.0.1", "-k", dataDir, .. settings.SelectMany(setting => new[] { "-c", setting })];
        return Options.InThisSession
            ? StartInThisSessionAsync(server)
            : RunAsServerUserAsync(Path.Combine(binDir, "pg_ctl"), "start", "-D", dataDir, "-w", "-t", "30", "-l", logFile, "-o", string.Join(' ', server));
    }

    /// <summary>The postmaster as a child process (its output appended to the log), ready once it takes a connection.</summary>
    async Task StartInThisSessionAsync(string[] server)
    {
        var postgres = Path.Combine(binDir, "postgres");
        string[] args = ["-D", dataDir, .. server];
        var start = new ProcessStartInfo(IsRoot ? "setpriv" : postgres)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath(),
        };
        // setpriv execs the server in place: the child's pid is the postmaster's.
        foreach (var arg in IsRoot ? ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", postgres, .. args] : args) start.ArgumentList.Add(arg);
        var process = postmaster = Process.Start(start) ?? throw new InvalidOperationException("Could not start postgres.");
        var logLock = new object();
        DataReceivedEventHandler append = (_, line) =>
        {
            if (line.Data is not null) lock (logLock) File.AppendAllText(logFile, line.Data + "\n");
        };
        process.OutputDataReceived += append;
        process.ErrorDataReceived += append;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"postgres exited ({process.ExitCode}): {ServerLog()}");
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false;Timeout=2");
                await connection.OpenAsync();
                return;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>
    /// Fast shutdown: open sessions are cut and the server stops cleanly, as when a managed database restarts.
    /// <see cref="StartAsync"/> starts it again.
    /// </summary>
    public async Task StopAsync()
    {
        await RunAsServerUserAsync(Path.Combine(binDir, "pg_ctl"), "stop", "-D", dataDir, "-m", "fast", "-w", "-t", "30");
        ReapPostmaster();
    }

    void ReapPostmaster()
    {
        postmaster?.WaitForExit(TimeSpan.FromSeconds(10));
        postmaster?.Dispose();
        postmaster = null;
    }

    /// <summary>A new empty database; its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Interlocked.Increment(ref databases)}";
        await ExecuteAsync($"CREATE DATABASE \"{name}\"");
        return ConnectionString(name);
    }

    public Task DropDatabaseAsync(string connectionString) =>
        ExecuteAsync($"DROP DATABASE IF EXISTS \"{new NpgsqlConnectionStringBuilder(connectionString).Database}\" WITH (FORCE)");

    async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!Directory.Exists(dataDir)) return;
        NpgsqlConnection.ClearAllPools();
        try
        {
            // Not running after a StopAsync: nothing to stop.
            if (File.Exists(PidFile))
            {
                await RunAsServerUserAsync(Path.Combine(binDir, "pg_ctl"), "stop", "-D", dataDir, "-m", "immediate", "-w", "-t", "30");
            }
            ReapPostmaster();
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    static string FindBinDir()
    {
        if (Environment.GetEnvironmentVariable("PG_BIN") is { Length: > 0 } configured) return configured;
        const string root = "/usr/lib/postgresql";
        return (Directory.Exists(root) ? Directory.GetDirectories(root) : [])
            .Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
            .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var version) ? version : 0)
            .FirstOrDefault()
            ?? throw new InvalidOperationException(
                "The fast tests and the benchmark need the PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/N/bin or in PG_BIN. " +
                "Debian/Ubuntu: apt-get install postgresql.");
    }

    string ServerLog()
    {
        try
        {
            return File.ReadAllText(logFile);
        }
        catch (IOException)
        {
            return "";
        }
    }

    Task RunAsServerUserAsync(string executable, params string[] args) => IsRoot
        ? RunAsync("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", executable, .. args])
        : RunAsync(executable, args);

    async Task RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        // pg_ctl sends the server's output to its log file (-l), so these pipes close when the tool exits.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}{await stdout}\n{ServerLog()}");
        }
    }

    static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    /// <summary>Clusters of test runs that died before their dispose (a killed test host): stopped and deleted.</summary>
    async Task DeleteAbandonedClustersAsync()
    {
        var prefix = Options.DirectoryPrefix;
        foreach (var dir in Directory.EnumerateDirectories(Options.DataRoot, prefix + "*"))
        {
            var owner = Path.GetFileName(dir)[prefix.Length..].Split('-')[0];
            if (!int.TryParse(owner, out var pid) || Directory.Exists($"/proc/{pid}")) continue;
            try
            {
                if (File.Exists(Path.Combine(dir, "postmaster.pid")))
                {
                    await RunAsServerUserAsync(Path.Combine(binDir, "pg_ctl"), "stop", "-D", dir, "-m", "immediate", "-w", "-t", "10");
                }
                Directory.Delete(dir, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
            }
        }
    }
}
