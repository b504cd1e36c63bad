namespace ChatKit.Tests.Fast.Infrastructure;

/// <summary>
/// Both services in process, the API calling the agent (local model) at its Kestrel address, trusting the same keys: the
/// API-to-agent hop as deployed, without the AppHost; both in the Development environment, as the AppHost runs them. The surface of the whole-app <c>AppFixture</c> that the tests use.
/// A class fixture: two databases and two services per test class.
/// </summary>
public sealed class ServicesApp : IAsyncLifetime
{
    public ServicesApp()
    {
        Agent = new AgentApp(Jwks);
        Api = new ApiApp(Jwks, () => Agent.Address);
    }

    /// <summary>Better Auth's JWKS endpoint for the asymmetric test keys, which both services trust.</summary>
    public JwksServer Jwks { get; } = new(TestKeys.Published);

    public AgentApp Agent { get; }

    public ApiApp Api { get; }

    public async Task InitializeAsync()
    {
        await ((IAsyncLifetime)Agent).InitializeAsync();
        await ((IAsyncLifetime)Api).InitializeAsync();
    }

    /// <summary>A client of a service ("apiservice" or "agent") with no token.</summary>
    public HttpClient CreateClient(string resource = "apiservice") =>
        resource == "agent" ? Agent.CreateAnonymousClient() : Api.CreateClient(resource);

    /// <summary>A client of a service signed in as the user with a fresh Better Auth JWT.</summary>
    public HttpClient CreateClientFor(string userId, string resource = "apiservice") => CreateClient(resource).As(userId);

    /// <summary>A database's connection string ("conversationsdb" or "tasksdb").</summary>
    public Task<string> ConnectionStringAsync(string database) =>
        database == "tasksdb" ? Agent.ConnectionStringAsync(database) : Api.ConnectionStringAsync(database);

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)Api).DisposeAsync();
        await ((IAsyncLifetime)Agent).DisposeAsync();
        Jwks.Dispose();
    }
}
