using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ChatKit.Tests.Infrastructure;

/// <summary>
/// The whole app (PostgreSQL from the local binaries on a throwaway data directory, the agent, the API) started once
/// per test collection through Aspire.Hosting.Testing. Every wait has a timeout: a resource that fails to start
/// makes StartAsync hang rather than throw.
/// </summary>
public class AppFixture : IAsyncLifetime
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(240);
    public static readonly string[] ServiceNames = ["agent", "apiservice"];

    /// <summary>A front-end origin the test AppHost allows for CORS (besides ChatKit's frame).</summary>
    public const string FrontEndOrigin = "https://app.tests.local";

    public DistributedApplication App { get; protected set; } = null!;

    /// <summary>Better Auth's JWKS endpoint for the asymmetric test keys; running before the AppHost starts.</summary>
    public JwksServer Jwks { get; } = new(TestKeys.Published);

    /// <summary>AppHost arguments (configuration overrides); a derived fixture can change them.</summary>
    protected virtual IEnumerable<string> Arguments =>
    [
        "--Postgres:Mode=local", "--Postgres:Ephemeral=true", .. TestTokens.AppHostArguments, .. TestTokens.McpAppHostArguments,
        $"--Auth:BetterAuth:JwksUrl={Jwks.JwksUrl}",
        // Lets the key-rotation test refetch the JWKS without waiting the production default of a minute.
        "--Auth:BetterAuth:JwksRefreshInterval=00:00:01",
        $"--Cors:Origins={FrontEndOrigin}",
        // The local model answers in milliseconds; a stopped agent behind the dev proxy looks like a silent one,
        // so the API gives up after 10 s instead of the production minute.
        "--ChatKit:Agent:ResponseTimeout=00:00:10",
    ];

    /// <summary>The resources the fixture waits for until they are healthy.</summary>
    protected virtual IEnumerable<string> Services => ServiceNames;

    /// <summary>Changes to each service resource (e.g. its environment) for a derived fixture.</summary>
    protected virtual void ConfigureService(IResourceBuilder<ProjectResource> service) { }

    public virtual async Task InitializeAsync() => App = await StartAsync(Arguments, ConfigureService, Services);

    /// <summary>
    /// Starts the AppHost with the arguments and waits until the services are healthy. The web front end stays off
    /// unless the arguments turn it on (<c>--Web:Enabled=true</c>): API tests need no Node.js.
    /// </summary>
    public static async Task<DistributedApplication> StartAsync(IEnumerable<string> arguments,
        Action<IResourceBuilder<ProjectResource>>? configureService = null, IEnumerable<string>? services = null,
        TimeSpan? timeout = null, Action<IDistributedApplicationTestingBuilder>? configureAppHost = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? StartTimeout);
        string[] args = [.. arguments];
        if (!args.Any(a => a.StartsWith("--Web:Enabled", StringComparison.OrdinalIgnoreCase))) args = [.. args, "--Web:Enabled=false"];
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.ChatKit_AppHost>(args, cts.Token);
        appHost.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        // No dashboard in tests: without an OTLP endpoint the services skip the exporter and stop in 2 s, not 13 s.
        foreach (var project in appHost.Resources.OfType<ProjectResource>().ToList())
        {
            var service = appHost.CreateResourceBuilder(project).WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", "");
            configureService?.Invoke(service);
        }
        // The web app too (its Node.js server loads no OpenTelemetry SDK without an endpoint).
        foreach (var executable in appHost.Resources.OfType<ExecutableResource>().Where(r => r.HasAnnotationOfType<OtlpExporterAnnotation>()).ToList())
        {
            appHost.CreateResourceBuilder(executable).WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", "");
        }
        configureAppHost?.Invoke(appHost);
        var app = await appHost.BuildAsync(cts.Token);
        await app.StartAsync(cts.Token);
        foreach (var service in services ?? ServiceNames)
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(service, cts.Token);
        }
        return app;
    }

    public HttpClient CreateClient(string resource = "apiservice") => App.CreateHttpClient(resource, "http");

    /// <summary>A client of the API service signed in as the user (a Better Auth token minted with the test keys).</summary>
    public HttpClient CreateClientFor(string userId, string resource = "apiservice") => CreateClient(resource).As(userId);

    public async Task<string> ConnectionStringAsync(string database) =>
        await App.GetConnectionStringAsync(database) ?? throw new InvalidOperationException($"No connection string for {database}.");

    /// <summary>Restarts the services (not the database) and waits until they are healthy again.</summary>
    public async Task RestartServicesAsync()
    {
        using var cts = new CancellationTokenSource(StartTimeout);
        var commands = App.Services.GetRequiredService<ResourceCommandService>();
        // One at a time: the API waits for the agent, and restarting it while the agent's restart is still under way
        // fails ("entered the 'Finished' state prematurely").
        foreach (var service in ServiceNames)
        {
            var result = await commands.ExecuteCommandAsync(service, KnownResourceCommands.RestartCommand, cts.Token);
            Assert.True(result.Success, $"restarting {service}: {result.Message}");
            // The stop can still be reported as Finished after the command returns: keep waiting through it.
            await App.ResourceNotifications.WaitForResourceHealthyAsync(service, WaitBehavior.WaitOnResourceUnavailable, cts.Token);
        }
    }

    public virtual async Task DisposeAsync()
    {
        if (App is not null)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await App.StopAsync(cts.Token);
            await App.DisposeAsync();
        }
        Jwks.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class AppCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "app";
}
