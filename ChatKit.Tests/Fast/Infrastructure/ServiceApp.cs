using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using static ChatKit.Testing.TestTokens;

namespace ChatKit.Tests.Fast.Infrastructure;

/// <summary>
/// One service in process (<see cref="WebApplicationFactory{TEntryPoint}"/> on Kestrel at a free loopback port, so that
/// streams, disconnects and limits behave as over the network) with a database of its own in the run's shared
/// <see cref="PostgresServer"/>, configured only through configuration, as the AppHost configures it. A class fixture:
/// one database and one service per test class, dropped when the class is done; classes run in parallel.
/// </summary>
public abstract class ServiceApp<TEntryPoint>(string database, JwksServer? jwks = null) : WebApplicationFactory<TEntryPoint>, IAsyncLifetime
    where TEntryPoint : class
{
    PostgresServer? postgres;
    readonly bool ownsJwks = jwks is null;

    protected string ConnectionString { get; private set; } = "";

    /// <summary>Better Auth's JWKS endpoint for the asymmetric test keys (and the MCP access tokens); its own unless given.</summary>
    public JwksServer Jwks { get; } = jwks ?? new(TestKeys.Published);

    /// <summary>
    /// The host environment: "Testing" (not Development: no user secrets of the machine, no development-only endpoints),
    /// or "Development" as the AppHost runs the services.
    /// </summary>
    protected virtual string Environment => "Testing";

    /// <summary>The service's address on the loopback interface.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>The service's own settings besides the auth keys and logging.</summary>
    protected abstract IEnumerable<KeyValuePair<string, string>> Settings();

    public virtual async Task InitializeAsync()
    {
        postgres = await PostgresServer.SharedAsync();
        ConnectionString = await postgres.CreateDatabaseAsync(database);
        UseKestrel(0);
        // Starts the service now (its migrations run before it serves), not inside the first test's time.
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        Address = new Uri(addresses.First().Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // A class's service is no replica joining a burst: no warm-up (WarmUpTurnTests and WarmUpModelTests test it).
        builder.UseSetting("WarmUp:Rounds", "0");
        builder.UseSetting("Auth:BetterAuth:JwksUrl", Jwks.JwksUrl);
        // Lets the key-rotation test refetch the JWKS without waiting the production default of a minute.
        builder.UseSetting("Auth:BetterAuth:JwksRefreshInterval", "00:00:01");
        foreach (var (key, value) in TestTokens.Settings.Concat(TestTokens.McpSettings).Concat(Settings())) builder.UseSetting(key, value);
    }

    /// <summary>A client of the service with no token (at its Kestrel address).</summary>
    public new HttpClient CreateClient() => CreateAnonymousClient();

    /// <summary>A client of the service with no token.</summary>
    public HttpClient CreateAnonymousClient() => new() { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>A client of the service signed in as the user with a fresh Better Auth JWT.</summary>
    public HttpClient ClientFor(string userId) => CreateAnonymousClient().WithToken(TestTokens.BetterAuth(userId));

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        if (ownsJwks) Jwks.Dispose();
        if (postgres is not null) await postgres.DropDatabaseAsync(ConnectionString);
    }
}
