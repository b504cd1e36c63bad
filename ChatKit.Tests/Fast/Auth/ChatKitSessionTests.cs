using System.Text.Json;
using ChatKit.Tests.Fast.Infrastructure;
using ChatKit.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;

namespace ChatKit.Tests.Fast.Auth;

public sealed class ChatKitSessionTests(ServicesApp fixture) : IClassFixture<ServicesApp>
{
    [Fact]
    public async Task ABetterAuthJwtIsExchangedForAThirtyMinuteSessionToken()
    {
        using var client = fixture.CreateClient().WithToken(TestTokens.BetterAuth("sally", key: TestKeys.EdDsa));
        var before = DateTimeOffset.UtcNow;

        var response = await client.PostAsync("/api/chatkit/session", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var session = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("sally", session.GetProperty("user_id").GetString());
        var expiresAt = session.GetProperty("expires_at").GetDateTimeOffset();
        Assert.InRange(expiresAt, before.AddMinutes(30).AddSeconds(-2), DateTimeOffset.UtcNow.AddMinutes(30).AddSeconds(1));

        var token = new JsonWebToken(session.GetProperty("client_secret").GetString());
        Assert.Equal("HS256", token.Alg);
        Assert.Equal("chatkit_session", token.GetPayloadValue<string>("type"));
        Assert.Equal("sally", token.Subject);
        Assert.Equal("sally", token.GetPayloadValue<string>("user_id"));
        Assert.False(string.IsNullOrEmpty(token.Id));
        Assert.Equal(TimeSpan.FromMinutes(30), token.ValidTo - token.IssuedAt);
        Assert.Equal(expiresAt.UtcDateTime, token.ValidTo);
    }

    [Fact]
    public async Task ASessionTokenWorksForTheApiAndIsValidatedAgainByTheAgent()
    {
        var secret = await CreateSessionAsync(TestTokens.BetterAuth("sid", key: TestKeys.Rs256));
        using var api = fixture.CreateClient().WithToken(secret);
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync("/api/tasks", new { title = "via session" })).StatusCode);

        using var agent = fixture.CreateClient("agent").WithToken(secret);
        var page = await agent.GetFromJsonAsync<JsonElement>("/api/tasks");
        Assert.Equal("via session", Assert.Single(page.GetProperty("tasks").EnumerateArray()).GetProperty("title").GetString());
    }

    [Fact]
    public async Task AnExpiredSessionTokenInsideTheRefreshWindowIsExchangedForANewOne()
    {
        // Issued 3 hours ago, expired 2.5 hours ago: inside the default 12-hour window and limit.
        var expired = TestTokens.Session("rita", issuedAt: DateTimeOffset.UtcNow.AddHours(-3));
        using var client = fixture.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.WithToken(expired).GetAsync("/api/tasks")).StatusCode);

        var response = await RefreshAsync(client, "rita", expired);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var session = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("rita", session.GetProperty("user_id").GetString());
        var fresh = session.GetProperty("client_secret").GetString()!;
        Assert.NotEqual(expired, fresh);
        Assert.Equal(HttpStatusCode.OK, (await client.WithToken(fresh).GetAsync("/api/tasks")).StatusCode);
    }

    [Fact]
    public async Task AStillValidSessionTokenCanBeRefreshedEarly()
    {
        using var client = fixture.CreateClient();
        var response = await RefreshAsync(client, "early", TestTokens.Session("early"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ASessionTokenThatExpiredBeforeTheRefreshWindowIsRejected()
    {
        // Expired 12.5 hours ago.
        var tooOld = TestTokens.Session("rita", issuedAt: DateTimeOffset.UtcNow.AddHours(-13));
        using var client = fixture.CreateClient();
        await BetterAuthTokenTests.AssertUnauthorizedAsync(await RefreshAsync(client, "rita", tooOld));
    }

    [Fact]
    public async Task ARefreshWithoutABetterAuthJwtIsUnauthorizedEvenForAGenuineSessionToken()
    {
        // Whoever copied a session token cannot keep it alive after its person signed out.
        var stolen = TestTokens.Session("victor");
        using var client = fixture.CreateClient();

        await BetterAuthTokenTests.AssertUnauthorizedAsync(await client.PostAsJsonAsync("/api/chatkit/refresh", new { token = stolen }));
        client.WithToken(stolen);
        await BetterAuthTokenTests.AssertUnauthorizedAsync(await client.PostAsJsonAsync("/api/chatkit/refresh", new { token = stolen }));
    }

    [Fact]
    public async Task ARefreshedTokenKeepsTheStartOfItsChainAndNeverOutlivesTheLimit()
    {
        using var client = fixture.CreateClient().WithToken(TestTokens.BetterAuth("chain"));
        var first = await (await client.PostAsync("/api/chatkit/session", null)).Content.ReadFromJsonAsync<JsonElement>();
        var firstToken = new JsonWebToken(first.GetProperty("client_secret").GetString());
        var refreshed = await (await RefreshAsync(client, "chain", firstToken.EncodedToken)).Content.ReadFromJsonAsync<JsonElement>();
        var refreshedToken = new JsonWebToken(refreshed.GetProperty("client_secret").GetString());
        Assert.Equal(firstToken.IssuedAt, DateTimeOffset.FromUnixTimeSeconds(refreshedToken.GetPayloadValue<long>("orig_iat")).UtcDateTime);

        // A chain that began 11 h 50 min ago: the next token lives 10 minutes, not 30.
        var chainStart = DateTimeOffset.UtcNow.AddHours(-12).AddMinutes(10);
        var late = await RefreshAsync(client, "chain", TestTokens.Session("chain", chainStart: chainStart));
        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        var expiresAt = (await late.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("expires_at").GetDateTimeOffset();
        Assert.Equal(chainStart.AddHours(12).ToUnixTimeSeconds(), expiresAt.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task AChainOfRefreshesEndsTwelveHoursAfterItsFirstToken()
    {
        // Issued a minute ago (inside the refresh window), but its chain began 12 hours ago.
        var token = TestTokens.Session("chain", issuedAt: DateTimeOffset.UtcNow.AddMinutes(-1), chainStart: DateTimeOffset.UtcNow.AddHours(-12));
        using var client = fixture.CreateClient();

        await BetterAuthTokenTests.AssertUnauthorizedAsync(await RefreshAsync(client, "chain", token));
    }

    public static TheoryData<string> NotRefreshable() =>
    [
        "a Better Auth JWT (HS256)", "a Better Auth JWT (EdDSA)", "another type", "another key", "the Better Auth secret as key",
        "alg none", "garbage", "empty", "no body",
    ];

    [Theory]
    [MemberData(nameof(NotRefreshable))]
    public async Task OnlyAGenuineSessionTokenCanBeRefreshed(string body)
    {
        object? token = body switch
        {
            "a Better Auth JWT (HS256)" => TestTokens.BetterAuth("rita"),
            "a Better Auth JWT (EdDSA)" => TestTokens.BetterAuth("rita", key: TestKeys.EdDsa),
            "another type" => TestTokens.Session("rita", type: "chatkit_refresh"),
            "another key" => TestTokens.Session("rita",
                key: new HmacTestKey(System.Text.Encoding.UTF8.GetBytes("another-secret-that-is-long-enough-0123456789"))),
            "the Better Auth secret as key" => TestTokens.Session("rita", key: TestKeys.Hs256),
            "alg none" => TestTokens.Sign(null, new Dictionary<string, object>
            {
                ["sub"] = "rita", ["user_id"] = "rita", ["type"] = "chatkit_session",
                ["exp"] = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds(),
            }),
            "garbage" => "garbage",
            "empty" => "",
            _ => null,
        };
        using var client = fixture.CreateClient().WithToken(TestTokens.BetterAuth("rita", key: TestKeys.Es256));

        var response = body == "no body"
            ? await client.PostAsync("/api/chatkit/refresh", null)
            : await client.PostAsJsonAsync("/api/chatkit/refresh", new { token });

        await BetterAuthTokenTests.AssertUnauthorizedAsync(response);
    }

    [Fact]
    public async Task ARefreshNeedsAValidBetterAuthJwtOfTheSameUser()
    {
        var expired = TestTokens.Session("rita", issuedAt: DateTimeOffset.UtcNow.AddHours(-1));
        using var client = fixture.CreateClient();

        client.WithToken(TestTokens.BetterAuth("rita", key: TestKeys.Es256));
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/chatkit/refresh", new { token = expired })).StatusCode);

        client.WithToken(TestTokens.BetterAuth("mallory", key: TestKeys.Es256));
        await BetterAuthTokenTests.AssertUnauthorizedAsync(await client.PostAsJsonAsync("/api/chatkit/refresh", new { token = expired }));

        client.WithToken(TestTokens.BetterAuth("rita", key: TestKeys.Es256, claims: c => c["exp"] = 1_000_000));
        await BetterAuthTokenTests.AssertUnauthorizedAsync(await client.PostAsJsonAsync("/api/chatkit/refresh", new { token = expired }));
    }

    [Fact]
    public async Task TheDevelopmentTokenCommandGivesAWorkingTokenWithoutBetterAuth()
    {
        using var client = fixture.CreateClient();

        var response = await client.PostAsync("/api/dev/token?user=newcomer", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var session = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("newcomer", session.GetProperty("user_id").GetString());
        client.WithToken(session.GetProperty("client_secret").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/tasks")).StatusCode);
    }

    /// <summary>A refresh as the page sends it: the session token in the body, the user's Better Auth JWT as bearer.</summary>
    static Task<HttpResponseMessage> RefreshAsync(HttpClient client, string userId, string sessionToken)
    {
        client.WithToken(TestTokens.BetterAuth(userId));
        return client.PostAsJsonAsync("/api/chatkit/refresh", new { token = sessionToken });
    }

    async Task<string> CreateSessionAsync(string betterAuthToken)
    {
        using var client = fixture.CreateClient().WithToken(betterAuthToken);
        var response = await client.PostAsync("/api/chatkit/session", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("client_secret").GetString()!;
    }
}
