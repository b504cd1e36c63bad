using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace ChatKit.AppHost.Postgres;

/// <summary>
/// The databases of the app: conversations (API service), tasks (agent) and, when the web app runs, Better Auth's
/// users and keys (web).
/// </summary>
public sealed record ChatKitDatabases(
    IResourceBuilder<IResourceWithConnectionString> Conversations,
    IResourceBuilder<IResourceWithConnectionString> Tasks,
    bool External)
{
    public IResourceBuilder<IResourceWithConnectionString>? Auth { get; init; }
}

public static class ChatKitDatabasesExtensions
{
    public const string ServerName = "postgres";
    public const string ConversationsDb = "conversationsdb";
    public const string TasksDb = "tasksdb";
    public const string AuthDb = "authdb";

    /// <summary>
    /// Adds PostgreSQL according to <c>Postgres:Mode</c>: <c>auto</c> (a container when a runtime answers, else the local
    /// server binaries), <c>container</c>, <c>local</c> or <c>external</c> (connection strings as configured).
    /// Publishing emits an Azure Database for PostgreSQL Flexible Server (infra/postgres.bicep), which azd provisions,
    /// unless the mode is <c>external</c>: then the connection strings are secret parameters azd asks for.
    /// <paramref name="withAuth"/> adds <c>authdb</c> for the web app's Better Auth (external mode: <c>ConnectionStrings:authdb</c>).
    /// </summary>
    public static ChatKitDatabases AddChatKitDatabases(this IDistributedApplicationBuilder builder, bool withAuth = false)
    {
        var mode = PostgresModes.Parse(builder.Configuration["Postgres:Mode"]);
        if (builder.ExecutionContext.IsPublishMode && mode != PostgresMode.External)
        {
            var azure = builder.AddAzurePostgresFlexibleServer(ServerName);
            return new(azure.AddDatabase(ConversationsDb), azure.AddDatabase(TasksDb), External: false)
            {
                Auth = withAuth ? azure.AddDatabase(AuthDb) : null,
            };
        }
        if (mode == PostgresMode.Auto)
        {
            mode = ContainerRuntime.IsHealthy(builder.Configuration) ? PostgresMode.Container
                : LocalPostgresExtensions.FindBinDir(builder.Configuration) is not null ? PostgresMode.Local
                : throw new DistributedApplicationException(
                    "PostgreSQL cannot start: no container runtime answers and no PostgreSQL server binaries were found. " +
                    "Install one of them (Debian/Ubuntu: `apt-get install postgresql`; or start Docker/Podman), " +
                    "set Postgres:BinDir to the directory holding `postgres` and `initdb`, " +
                    "or set Postgres:Mode=external with ConnectionStrings:conversationsdb and ConnectionStrings:tasksdb.");
        }

        switch (mode)
        {
            case PostgresMode.External:
                return new(builder.AddConnectionString(ConversationsDb), builder.AddConnectionString(TasksDb), External: true)
                {
                    Auth = withAuth ? builder.AddConnectionString(AuthDb) : null,
                };
            case PostgresMode.Container:
                var password = builder.AddParameter($"{ServerName}-password", secret: true);
                var server = builder.AddPostgres(ServerName, password: password).WithDataVolume();
                return new(server.AddDatabase(ConversationsDb), server.AddDatabase(TasksDb), External: false)
                {
                    Auth = withAuth ? server.AddDatabase(AuthDb) : null,
                };
            default:
                if (OperatingSystem.IsWindows())
                    throw new DistributedApplicationException("Postgres:Mode=local needs Linux or macOS; on Windows use a container runtime.");
                var local = builder.AddLocalPostgres(ServerName);
                return new(local.AddDatabase(ConversationsDb), local.AddDatabase(TasksDb), External: false)
                {
                    Auth = withAuth ? local.AddDatabase(AuthDb) : null,
                };
        }
    }

    /// <summary>
    /// References a database and, unless it is an external server the AppHost cannot watch or an Azure one that only
    /// exists in a deployment, waits for it.
    /// </summary>
    public static IResourceBuilder<T> WithDatabase<T>(this IResourceBuilder<T> project,
        IResourceBuilder<IResourceWithConnectionString> database)
        where T : IResourceWithEnvironment, IResourceWithWaitSupport
    {
        project.WithReference(database);
        return database.Resource is ConnectionStringResource or ParameterResource or AzurePostgresDatabaseResource
            ? project
            : project.WaitFor(database);
    }
}

public enum PostgresMode { Auto, Container, Local, External }

static class PostgresModes
{
    public static PostgresMode Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" => PostgresMode.Auto,
        "container" => PostgresMode.Container,
        "local" => PostgresMode.Local,
        "external" => PostgresMode.External,
        _ => throw new DistributedApplicationException(
            $"Postgres:Mode '{value}' is not one of auto, container, local, external."),
    };
}

/// <summary>Whether a container runtime (Docker, or the one ASPIRE_CONTAINER_RUNTIME names) answers within a few seconds.</summary>
static class ContainerRuntime
{
    public static bool IsHealthy(IConfiguration configuration)
    {
        var runtime = configuration["ASPIRE_CONTAINER_RUNTIME"] ?? configuration["DOTNET_ASPIRE_CONTAINER_RUNTIME"] ?? "docker";
        try
        {
            var psi = new ProcessStartInfo(runtime) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { "info", "--format", "{{.ServerVersion}}" }) psi.ArgumentList.Add(arg);
            using var process = Process.Start(psi);
            if (process is null) return false;
            var output = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(3)))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }
            return process.ExitCode == 0 && !string.IsNullOrWhiteSpace(output.Result);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // the runtime's CLI is not installed
        }
    }
}
