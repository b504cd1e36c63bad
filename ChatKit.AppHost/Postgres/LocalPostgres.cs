using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ChatKit.AppHost.Postgres;

/// <summary>A PostgreSQL server run from the machine's own binaries, as an executable resource (no container runtime needed).</summary>
public sealed class LocalPostgresResource(string name, string command, string workingDirectory, ParameterResource password, string dataDir)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public ParameterResource Password { get; } = password;
    public string DataDir { get; } = dataDir;
    public EndpointReference PrimaryEndpoint => new(this, "tcp");
    internal List<LocalPostgresDatabaseResource> Databases { get; } = [];

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username=postgres;Password={Password}");
}

public sealed class LocalPostgresDatabaseResource(string name, string databaseName, LocalPostgresResource parent)
    : Resource(name), IResourceWithParent<LocalPostgresResource>, IResourceWithConnectionString
{
    public LocalPostgresResource Parent { get; } = parent;
    public string DatabaseName { get; } = databaseName;
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{Parent};Database={DatabaseName}");
}

/// <summary>
/// Configuration (section <c>Postgres</c>): <c>BinDir</c> (default: newest /usr/lib/postgresql/N/bin),
/// <c>DataDir</c> (default: a persistent per-user directory), <c>Ephemeral=true</c> (a throwaway directory, for tests),
/// and the secret parameter <c>postgres-password</c> (default: generated once and kept beside the data).
/// </summary>
public static class LocalPostgresExtensions
{
    static bool IsRoot => Environment.UserName == "root";

    public static string? FindBinDir(IConfiguration configuration)
    {
        var configured = configuration["Postgres:BinDir"];
        if (!string.IsNullOrEmpty(configured)) return File.Exists(Path.Combine(configured, "postgres")) ? configured : null;
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root)) return null;
        return Directory.GetDirectories(root)
            .Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "postgres")) && File.Exists(Path.Combine(d, "initdb")))
            .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
            .FirstOrDefault();
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // Windows users run the container mode
    public static IResourceBuilder<LocalPostgresResource> AddLocalPostgres(this IDistributedApplicationBuilder builder, string name)
    {
        var binDir = FindBinDir(builder.Configuration) ?? throw new DistributedApplicationException(
            "PostgreSQL server binaries were not found (looked in Postgres:BinDir, then /usr/lib/postgresql/*/bin). " +
            "Install them (Debian/Ubuntu: `apt-get install postgresql`) or set Postgres:BinDir.");
        var majorVersion = Path.GetFileName(Path.GetDirectoryName(binDir.TrimEnd('/'))) ?? "pg";

        var ephemeral = builder.Configuration.GetValue<bool>("Postgres:Ephemeral");
        var dataDir = ephemeral
            ? Path.Combine(Path.GetTempPath(), $"chatkit-pg-{name}-{Environment.ProcessId}-{Guid.NewGuid():N}"[..48])
            : builder.Configuration["Postgres:DataDir"] is { Length: > 0 } configuredDir ? Path.GetFullPath(configuredDir)
            : DefaultDataDir(majorVersion);
        PrepareDataDirParent(dataDir);

        // The password stays stable across runs: configured, or generated once and kept beside the data directory.
        var passwordFile = dataDir.TrimEnd('/') + ".password";
        var parameterKey = $"Parameters:{name}-password";
        if (string.IsNullOrEmpty(builder.Configuration[parameterKey]))
        {
            builder.Configuration[parameterKey] = File.Exists(passwordFile) && !ephemeral
                ? File.ReadAllText(passwordFile).Trim()
                : Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        }
        var password = builder.AddParameter($"{name}-password", secret: true);

        var (command, prefix) = RunAsPostgresUser(Path.Combine(binDir, "postgres"));
        var resource = new LocalPostgresResource(name, command, Path.GetTempPath(), password.Resource, dataDir);

        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(resource, async (_, ct) =>
        {
            var pw = await password.Resource.GetValueAsync(ct) ?? throw new DistributedApplicationException("No postgres password.");
            if (!File.Exists(Path.Combine(dataDir, "PG_VERSION")))
            {
                await InitDbAsync(binDir, dataDir, pw, ct);
            }
            else
            {
                RemoveStaleLockFile(dataDir);
                if (!File.Exists(passwordFile) || File.ReadAllText(passwordFile).Trim() != pw)
                {
                    await SetPasswordAsync(binDir, dataDir, pw, ct);
                }
            }
            if (!ephemeral)
            {
                await File.WriteAllTextAsync(passwordFile, pw, ct);
                File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        });

        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(resource, async (_, ct) =>
            connectionString = await resource.ConnectionStringExpression.GetValueAsync(ct));

        // Create the databases once the server answers, then mark them running: Aspire mirrors a parent's state
        // onto child resources only for containers, so without this WaitFor(database) would wait forever.
        builder.Eventing.Subscribe<ResourceReadyEvent>(resource, async (e, ct) =>
        {
            await using var connection = new NpgsqlConnection(connectionString + ";Database=postgres");
            await connection.OpenAsync(ct);
            var notifications = e.Services.GetRequiredService<ResourceNotificationService>();
            foreach (var database in resource.Databases)
            {
                await using var exists = new NpgsqlCommand("select 1 from pg_database where datname = @name", connection);
                exists.Parameters.AddWithValue("name", database.DatabaseName);
                if (await exists.ExecuteScalarAsync(ct) is null)
                {
                    await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.DatabaseName.Replace("\"", "\"\"")}\"", connection);
                    await create.ExecuteNonQueryAsync(ct);
                }
                await notifications.PublishUpdateAsync(database, s => s with { State = KnownResourceStates.Running, StartTimeStamp = DateTime.UtcNow });
            }
        });

        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().AddNpgSql(
            _ => (connectionString ?? throw new InvalidOperationException("The connection string is not known yet.")) + ";Database=postgres",
            name: healthCheckKey);

        if (ephemeral) DeleteAbandonedEphemeralDirs();

        // fsync off only for throwaway data; a persistent directory keeps PostgreSQL's durability.
        string[] durability = ephemeral ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"] : [];
        return builder.AddResource(resource)
            .WithArgs([.. prefix, "-D", dataDir, "-k", dataDir, "-h", "127.0.0.1", "-c", "max_connections=200", .. durability])
            .WithEndpoint(name: "tcp", scheme: "tcp", env: "PGPORT") // DCP picks the port, passes PGPORT and proxies it
            .WithHealthCheck(healthCheckKey);
    }

    public static IResourceBuilder<LocalPostgresDatabaseResource> AddDatabase(this IResourceBuilder<LocalPostgresResource> server,
        string name, string? databaseName = null)
    {
        var database = new LocalPostgresDatabaseResource(name, databaseName ?? name, server.Resource);
        server.Resource.Databases.Add(database);
        string? connectionString = null;
        server.ApplicationBuilder.Eventing.Subscribe<ConnectionStringAvailableEvent>(database, async (_, ct) =>
            connectionString = await database.ConnectionStringExpression.GetValueAsync(ct));
        var healthCheckKey = $"{name}_check";
        server.ApplicationBuilder.Services.AddHealthChecks().AddNpgSql(
            _ => connectionString ?? throw new InvalidOperationException("The connection string is not known yet."),
            name: healthCheckKey);
        return server.ApplicationBuilder.AddResource(database)
            .WithInitialState(new CustomResourceSnapshot { ResourceType = "PostgresDatabase", State = KnownResourceStates.Waiting, Properties = [] })
            .WithHealthCheck(healthCheckKey);
    }

    /// <summary>Per user and per major version (a cluster made by one major version cannot be opened by another).</summary>
    static string DefaultDataDir(string majorVersion)
    {
        // As root, the server runs as 'postgres', which cannot traverse /root: keep the data under /var/lib.
        var root = IsRoot
            ? "/var/lib/chatkit"
            : Path.Combine(Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share"), "chatkit");
        return Path.Combine(root, $"postgres-{majorVersion}");
    }

    static void PrepareDataDirParent(string dataDir)
    {
        var parent = Path.GetDirectoryName(dataDir.TrimEnd('/'))!;
        Directory.CreateDirectory(parent);
        if (IsRoot && !File.Exists(Path.Combine(dataDir, "PG_VERSION")) && parent != Path.GetTempPath().TrimEnd('/'))
        {
            // initdb runs as 'postgres' and must be able to create the data directory here.
            Run("chown", "postgres:postgres", parent);
        }
    }

    // postgres and initdb refuse to run as root: setpriv execs them as 'postgres' (same PID, so DCP's signals reach postgres).
    static (string Command, string[] Prefix) RunAsPostgresUser(string executable) => IsRoot
        ? ("/usr/bin/setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", executable])
        : (executable, []);

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    static async Task InitDbAsync(string binDir, string dataDir, string password, CancellationToken ct)
    {
        // The password file must be readable by 'postgres' (/dev/stdin is not when we are root), and is deleted right after.
        var passwordDir = Directory.CreateTempSubdirectory("chatkit-pgpw-");
        var passwordFile = Path.Combine(passwordDir.FullName, "pw");
        try
        {
            await File.WriteAllTextAsync(passwordFile, password + "\n", ct);
            File.SetUnixFileMode(passwordDir.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            await RunPostgresToolAsync(Path.Combine(binDir, "initdb"), null, ct,
                "-D", dataDir, "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--auth=scram-sha-256",
                $"--pwfile={passwordFile}", "--no-instructions");
        }
        finally
        {
            passwordDir.Delete(recursive: true);
        }
    }

    /// <summary>Makes the cluster's password match the configured one (it changes when the secret store is cleared).</summary>
    static Task SetPasswordAsync(string binDir, string dataDir, string password, CancellationToken ct) =>
        RunPostgresToolAsync(Path.Combine(binDir, "postgres"), $"ALTER USER postgres PASSWORD '{password.Replace("'", "''")}';\n", ct,
            "--single", "-D", dataDir, "postgres");

    static async Task RunPostgresToolAsync(string executable, string? input, CancellationToken ct, params string[] args)
    {
        var (command, prefix) = RunAsPostgresUser(executable);
        var psi = new ProcessStartInfo(command)
        {
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var arg in prefix.Concat(args)) psi.ArgumentList.Add(arg);
        using var process = Process.Start(psi) ?? throw new DistributedApplicationException($"Could not start {executable}.");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new DistributedApplicationException($"{Path.GetFileName(executable)} failed ({process.ExitCode}): {await stderr}{await stdout}");
        }
    }

    /// <summary>After a hard kill postmaster.pid stays behind and blocks the next start if its PID is reused by another process.</summary>
    static void RemoveStaleLockFile(string dataDir)
    {
        var lockFile = Path.Combine(dataDir, "postmaster.pid");
        if (!File.Exists(lockFile)) return;
        var firstLine = File.ReadLines(lockFile).FirstOrDefault();
        if (int.TryParse(firstLine, out var pid) && File.Exists($"/proc/{pid}/cmdline"))
        {
            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
            if (commandLine.Contains("postgres") && commandLine.Contains(dataDir))
            {
                throw new DistributedApplicationException(
                    $"PostgreSQL is already running on {dataDir} (PID {pid}), probably under another AppHost. Stop it, or set Postgres:DataDir.");
            }
        }
        File.Delete(lockFile);
    }

    /// <summary>Throwaway directories whose AppHost is gone (the AppHost gets no stop event on shutdown).</summary>
    static void DeleteAbandonedEphemeralDirs()
    {
        foreach (var dir in Directory.EnumerateDirectories(Path.GetTempPath(), "chatkit-pg-*"))
        {
            var parts = Path.GetFileName(dir).Split('-'); // chatkit-pg-{resource}-{apphostPid}-{random}
            if (parts.Length < 5 || !int.TryParse(parts[^2], out var ownerPid) || Directory.Exists($"/proc/{ownerPid}")) continue;
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    static void Run(string command, params string[] args)
    {
        var psi = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        using var process = Process.Start(psi)!;
        process.WaitForExit();
    }
}
