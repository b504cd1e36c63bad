using System.Diagnostics;
using Aspire.Hosting;
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
            await using (var first = await AppFixture.StartAsync(arguments))
            {
                await ExecuteAsync(first, "tasksdb",
                    $"insert into tasks (owner_id, title, completed, created_at, updated_at) values ('persistence-test', '{marker}', false, now(), now())");
                await first.StopAsync();
            }
            var password = await File.ReadAllTextAsync(dataDir + ".password");
            Assert.False(string.IsNullOrWhiteSpace(password));

            await using var second = await AppFixture.StartAsync(arguments);
            var count = await ExecuteAsync(second, "tasksdb", $"select count(*) from tasks where title = '{marker}'");
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

    static string Flatten(Exception error) => error.InnerException is null ? error.Message : error.Message + " " + Flatten(error.InnerException);

    static async Task<object?> ExecuteAsync(DistributedApplication app, string database, string sql)
    {
        await using var connection = new NpgsqlConnection(await app.GetConnectionStringAsync(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
