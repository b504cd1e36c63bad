using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using ChatKit.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using ChatKit.Tests.Fast.Auth;

namespace ChatKit.Tests.Auth;

/// <summary>
/// The recommended production shape: Better Auth keys only through JWKS (no BETTER_AUTH_SECRET, no session key configured,
/// so the AppHost generates one) and the services in the Production environment, without the warm-up Production turns on
/// (up to 20 s of busy cores at each start; Fast/ tests it, and it only delays a service's readiness, never fails it).
/// </summary>
public sealed class JwksOnlyAppFixture : AppFixture
{
    protected override IEnumerable<string> Arguments =>
    [
        .. base.Arguments.Where(argument =>
            !argument.StartsWith("--Parameters:better-auth-secret=", StringComparison.Ordinal)
            && !argument.StartsWith("--Parameters:chatkit-session-signing-key=", StringComparison.Ordinal)),
        // A stopped agent behind the dev proxy is silent: the tasks API gives up after 5 s instead of the default 15 s.
        "--ChatKit:Agent:TaskApiTimeout=00:00:05",
    ];

    protected override void ConfigureService(IResourceBuilder<ProjectResource> service) =>
        service.WithEnvironment("ASPNETCORE_ENVIRONMENT", "Production").WithEnvironment("WarmUp__Rounds", "0");
}

[CollectionDefinition(Name)]
public sealed class JwksOnlyCollection : ICollectionFixture<JwksOnlyAppFixture>
{
    public const string Name = "jwks-only";
}

[Collection(JwksOnlyCollection.Name)]
public sealed class JwksOnlyTests(JwksOnlyAppFixture fixture)
{
    [Fact]
    public async Task SessionTokensWorkThroughTheApiAndTheAgentWithAGeneratedKey()
    {
        using var client = fixture.CreateClient().WithToken(TestTokens.BetterAuth("jo", key: TestKeys.EdDsa));
        var session = await client.PostAsync("/api/chatkit/session", null);
        Assert.Equal(HttpStatusCode.OK, session.StatusCode);
        var secret = (await session.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("client_secret").GetString()!;

        client.WithToken(secret);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/tasks", new { title = "jwks only" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/tasks")).StatusCode);

        // A session token signed with the configured key of the other fixtures means nothing here.
        client.WithToken(TestTokens.Session("jo"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/tasks")).StatusCode);
    }

    [Fact]
    public async Task HS256BetterAuthTokensAreRejectedWhenNoSecretIsConfigured()
    {
        using var client = fixture.CreateClient().WithToken(TestTokens.BetterAuth("jo"));

        await BetterAuthTokenTests.AssertUnauthorizedAsync(await client.GetAsync("/api/tasks"));
    }

    [Fact]
    public async Task TheDevelopmentTokenEndpointDoesNotExistOutsideDevelopment()
    {
        using var client = fixture.CreateClient().WithToken(TestTokens.BetterAuth("jo", key: TestKeys.Es256));

        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/dev/token?user=jo", null)).StatusCode);
    }

    [Fact]
    public async Task WhenTheAgentIsDownTheTasksApiAnswers503ProblemDetails()
    {
        using var cts = new CancellationTokenSource(AppFixture.StartTimeout);
        var commands = fixture.App.Services.GetRequiredService<ResourceCommandService>();
        using var client = fixture.CreateClient().WithToken(TestTokens.BetterAuth("jo", key: TestKeys.Ps256));
        Assert.True((await commands.ExecuteCommandAsync("agent", KnownResourceCommands.StopCommand, cts.Token)).Success);
        try
        {
            var response = await client.PostAsJsonAsync("/api/tasks", new { title = "nobody home" }, cts.Token);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        finally
        {
            Assert.True((await commands.ExecuteCommandAsync("agent", KnownResourceCommands.StartCommand, cts.Token)).Success);
            await fixture.App.ResourceNotifications.WaitForResourceHealthyAsync("agent", cts.Token);
        }
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/tasks", cts.Token)).StatusCode);
    }
}
