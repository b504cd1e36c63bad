using ChatKit.Tests.Infrastructure;
using Npgsql;

namespace ChatKit.Tests.Foundation;

[Collection(AppCollection.Name)]
public sealed class AppHostTests(AppFixture fixture)
{
    // The services (agent, apiservice) are the fixture's own wait; these are the resources it does not wait for by name.
    [Theory]
    [InlineData("postgres")]
    [InlineData("conversationsdb")]
    [InlineData("tasksdb")]
    public async Task TheDatabaseResourcesBecomeHealthy(string resource)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await fixture.App.ResourceNotifications.WaitForResourceHealthyAsync(resource, cts.Token);
    }

    [Theory]
    [InlineData("apiservice")]
    [InlineData("agent")]
    public async Task ServicesReportHealthAndLiveness(string service)
    {
        using var http = fixture.CreateClient(service);
        var health = await http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/alive")).StatusCode);
    }

    [Fact]
    public async Task EachServiceMigratesOnlyItsOwnDatabase()
    {
        var conversationTables = await TablesAsync("conversationsdb");
        var taskTables = await TablesAsync("tasksdb");

        Assert.Superset(new HashSet<string> { "threads", "thread_items", "attachments", "__EFMigrationsHistory" }, conversationTables);
        Assert.DoesNotContain("tasks", conversationTables);
        Assert.Superset(new HashSet<string> { "tasks", "__EFMigrationsHistory" }, taskTables);
        Assert.DoesNotContain("threads", taskTables);
    }

    [Fact]
    public async Task RunsOnTheLocalPostgreSqlServer()
    {
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("tasksdb"));
        await connection.OpenAsync();
        await using var version = new NpgsqlCommand("select version()", connection);
        Assert.StartsWith("PostgreSQL ", (string)(await version.ExecuteScalarAsync())!);
    }

    async Task<HashSet<string>> TablesAsync(string database)
    {
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select table_name from information_schema.tables where table_schema = 'public'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var tables = new HashSet<string>();
        while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        return tables;
    }
}
