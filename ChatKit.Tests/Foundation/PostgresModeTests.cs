using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using ChatKit.Tests.Infrastructure;
using Npgsql;

namespace ChatKit.Tests.Foundation;

/// <summary>Local mode on a persistent data directory, across AppHost restarts; and the fail-fast message.</summary>
public sealed class PostgresModeTests
{
    [Fact]
    public async Task LocalModeKeepsDataAndPasswordAcrossAppHostRestarts()
    {
        var root = Directory.CreateTempSubdirectory("chatkit-persist-");
        var dataDir = Path.Combine(root.FullName, "data");
        string[] arguments = ["--Postgres:Mode=local", $"--Postgres:DataDir={dataDir}", .. TestTokens.AppHostArguments];
        try
        {
            var marker = $"persisted-{Guid.NewGuid():N}";
            await using (var first = await StartDatabasesOnlyAsync(arguments))
            {
                await ExecuteAsync(first, "tasksdb", "create table persistence_test (marker text not null)");
                await ExecuteAsync(first, "tasksdb", $"insert into persistence_test (marker) values ('{marker}')");
                await first.StopAsync();
            }
            var password = await File.ReadAllTextAsync(dataDir + ".password");
            Assert.False(string.IsNullOrWhiteSpace(password));

            await using var second = await StartDatabasesOnlyAsync(arguments);
            var count = await ExecuteAsync(second, "tasksdb", $"select count(*) from persistence_test where marker = '{marker}'");
            Assert.Equal(1L, count);
            Assert.Equal(password, await File.ReadAllTextAsync(dataDir + ".password"));
            await second.StopAsync();
        }
        finally
        {
            Process.Start("rm", ["-rf", root.FullName])?.WaitForExit();
        }
    }

    [Fact]
    public async Task WithoutContainerRuntimeOrServerBinariesTheAppHostStopsAtOnceSayingWhatToInstall()
    {
        var started = Stopwatch.StartNew();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.ChatKit_AppHost>(
                ["--Postgres:Mode=auto", "--Postgres:BinDir=/nonexistent/postgresql/bin", "--ASPIRE_CONTAINER_RUNTIME=no-such-runtime"], cts.Token);
            await using var app = await builder.BuildAsync(cts.Token);
        });
        Assert.Contains("apt-get install postgresql", Flatten(error));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(30), $"took {started.Elapsed}");
    }

    /// <summary>
    /// The AppHost with only PostgreSQL and its databases: what survives a restart is the server's data directory and
    /// password file, which no service takes part in (the services' own restarts are AppHostTests' and ResilienceTests').
    /// </summary>
    static Task<DistributedApplication> StartDatabasesOnlyAsync(string[] arguments) =>
        AppFixture.StartAsync(arguments, services: ["postgres", "conversationsdb", "tasksdb"], configureAppHost: appHost =>
        {
            foreach (var service in appHost.Resources.OfType<ProjectResource>().ToList()) appHost.Resources.Remove(service);
        });

    static string Flatten(Exception error) => error.InnerException is null ? error.Message : error.Message + " " + Flatten(error.InnerException);

    static async Task<object?> ExecuteAsync(DistributedApplication app, string database, string sql)
    {
        await using var connection = new NpgsqlConnection(await app.GetConnectionStringAsync(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
