using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ChatKit.Tests.Fast.Infrastructure;

/// <summary>
/// One service in process (<see cref="WebApplicationFactory{TEntryPoint}"/> on a TestServer) with a database of its
/// own in the run's <see cref="PostgresServer"/>, configured only through configuration, as the AppHost configures it.
/// A class fixture: one database and one service per test class, dropped when the class is done.
/// </summary>
public abstract class ServiceApp<TEntryPoint>(PostgresServer postgres, string database) : WebApplicationFactory<TEntryPoint>, IAsyncLifetime
    where TEntryPoint : class
{
    protected string ConnectionString { get; private set; } = "";

    /// <summary>The service's own settings besides the auth keys and logging.</summary>
    protected abstract IEnumerable<KeyValuePair<string, string>> Settings();

    public async Task InitializeAsync()
    {
        ConnectionString = await postgres.CreateDatabaseAsync(database);
        // Starts the service now (its migrations run before it serves), not inside the first test's time.
        _ = Server;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // Not Development: no user secrets of the machine, no development-only endpoints.
        builder.UseEnvironment("Testing");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        foreach (var (key, value) in TestTokens.Settings.Concat(Settings())) builder.UseSetting(key, value);
    }

    /// <summary>A client of the service signed in as the user with a fresh Better Auth JWT.</summary>
    public HttpClient ClientFor(string userId) => CreateClient().WithToken(TestTokens.BetterAuth(userId));

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await postgres.DropDatabaseAsync(ConnectionString);
    }
}
