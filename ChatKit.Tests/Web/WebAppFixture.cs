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

    public override async Task InitializeAsync()
    {
        await WebProject.EnsureInstalledAsync();
        App = await StartAsync(Arguments, ConfigureService, Services, WebStartTimeout);
    }

    /// <summary>The web app's address as the browser uses it (also Better Auth's BETTER_AUTH_URL).</summary>
    public Uri WebUrl => App.GetEndpoint("web", "http");
}

[CollectionDefinition(Name)]
public sealed class WebCollection : ICollectionFixture<WebAppFixture>
{
    public const string Name = "web";
}
