extern alias ApiService;
using ChatKit.Tests.Fast.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using ApiService::ChatKit.ApiService.ChatKit;
using ApiService::ChatKit.ApiService.Conversations;

namespace ChatKit.Tests.Fast.Conversations;

/// <summary>
/// The API's warm-up before it says ready (docs/benchmarks.md, "A person in the crowd"): real turns as the warm-up user
/// that leave nothing behind, more of them than a person's write limit allows, and a connection pool filled with
/// connections that have run the turn functions.
/// </summary>
public sealed class WarmUpTurnTests(ApiApp app) : IClassFixture<ApiApp>
{
    [Fact]
    public async Task WarmUpTurnsRunAsTheWarmUpUserPastTheWriteLimitAndLeaveNoThreadBehind()
    {
        using var http = app.CreateAnonymousClient();
        var before = app.Agent.WarmUpTurns;

        // 40 rounds of three writes each: more than the 100 writes per 10 s a person may send.
        for (var round = 0; round < 40; round++) await ChatKitWarmUp.TurnsAsync(http, app.Services, CancellationToken.None);

        Assert.Equal(80, app.Agent.WarmUpTurns - before);
        Assert.Equal(0L, await WarmUpRowsAsync());
    }

    [Fact]
    public async Task AWarmUpTurnTheAgentCannotAnswerFailsTheStepAndLeavesNoThreadBehind()
    {
        using var http = app.CreateAnonymousClient();
        app.Agent.Stop();
        try
        {
            var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ChatKitWarmUp.TurnsAsync(http, app.Services, CancellationToken.None));
            Assert.Contains("error event", failure.Message);
        }
        finally
        {
            app.Agent.Start();
        }
        Assert.Equal(0L, await WarmUpRowsAsync());
    }

    async Task<long> WarmUpRowsAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(app.Services.GetRequiredService<NpgsqlDataSource>().ConnectionString);
        await using var count = dataSource.CreateCommand("SELECT (SELECT count(*) FROM threads WHERE owner_id = $1) + (SELECT count(*) FROM thread_items WHERE owner_id = $1)");
        count.Parameters.Add(new NpgsqlParameter { Value = WarmUp.UserId });
        return (long)(await count.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task FillingThePoolOpensItsWholeSizeOfConnections()
    {
        var connectionString = app.Services.GetRequiredService<NpgsqlDataSource>().ConnectionString;
        var size = new NpgsqlConnectionStringBuilder(connectionString).MaxPoolSize;

        await ConnectionWarmUp.FillPoolAsync(app.CreateAnonymousClient(), app.Services, CancellationToken.None);

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var count = dataSource.CreateCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()");
        // The service's pool, all of it idle now, plus this query's own connection.
        Assert.True((long)(await count.ExecuteScalarAsync())! >= size + 1, $"expected at least {size + 1} connections");
    }
}
