using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using ChatKit.Tests.Agent;
using ChatKit.Tests.Infrastructure;

namespace ChatKit.Tests.Web;

/// <summary>
/// The whole app with the web front end on: PostgreSQL (local, throwaway), agent, API and the Next.js app, whose
/// Better Auth tokens the services verify through its JWKS. Relaxed sign-in rate limit, a short ChatKit script timeout.
/// </summary>
public sealed class WebAppFixture : AppFixture
{
    public const string Secret = "chatkit-web-tests-better-auth-secret-0123456789abcdef";
    /// <summary>The first start may install the packages (~25 s) and build the app (~15-35 s) on two busy cores.</summary>
    static readonly TimeSpan WebStartTimeout = TimeSpan.FromMinutes(6);

    protected override IEnumerable<string> Arguments =>
    [
        "--Postgres:Mode=local", "--Postgres:Ephemeral=true",
        "--Web:Enabled=true", $"--Parameters:web-auth-secret={Secret}", "--Web:AuthRateLimit=off", "--Web:ScriptTimeoutMs=3000",
    ];

    protected override IEnumerable<string> Services => [.. ServiceNames, "web"];

    /// <summary>Where the web app, the API and the agent export their traces (instead of the dashboard), quickly.</summary>
    public OtlpReceiver Telemetry { get; } = new();

    /// <summary>The browser scenarios, in one browser started at the first of them.</summary>
    public BrowserScenarios Browser { get; }

    public WebAppFixture() => Browser = new(() => WebUrl);

    public override async Task InitializeAsync()
    {
        await WebProject.EnsureInstalledAsync();
        App = await StartAsync(Arguments, ConfigureService, Services, WebStartTimeout, appHost =>
        {
            foreach (var resource in appHost.Resources.OfType<IResourceWithEnvironment>().Where(r => r.Name is "web" or "apiservice" or "agent").ToList())
            {
                appHost.CreateResourceBuilder(resource)
                    .WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", Telemetry.Url)
                    .WithEnvironment("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
                    .WithEnvironment("OTEL_BSP_SCHEDULE_DELAY", "200")
                    .WithEnvironment("OTEL_METRICS_EXPORTER", "none")
                    .WithEnvironment("OTEL_LOGS_EXPORTER", "none");
            }
        });
    }

    public override async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        await base.DisposeAsync();
        Telemetry.Dispose();
    }

    /// <summary>The web app's address as the browser uses it (also Better Auth's BETTER_AUTH_URL).</summary>
    public Uri WebUrl => App.GetEndpoint("web", "http");
}

[CollectionDefinition(Name)]
public sealed class WebCollection : ICollectionFixture<WebAppFixture>
{
    public const string Name = "web";
}
