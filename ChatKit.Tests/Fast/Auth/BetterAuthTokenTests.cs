using System.Net.Http.Headers;
using System.Text.Json;
using ChatKit.Tests.Fast.Infrastructure;
using ChatKit.Tests.Infrastructure;

namespace ChatKit.Tests.Fast.Auth;

public sealed class BetterAuthTokenTests(ServicesApp fixture) : IClassFixture<ServicesApp>
{
    [Theory]
    [InlineData("EdDSA")]
    [InlineData("ES256")]
    [InlineData("RS256")]
    [InlineData("PS256")]
    [InlineData("HS256")]
    public async Task BetterAuthTokensOfEveryAlgorithmAreAcceptedByTheApiAndTheAgent(string algorithm)
    {
        var user = $"alg-{algorithm}-{Guid.NewGuid():N}";
        var token = TestTokens.BetterAuth(user, key: TestKeys.ByAlgorithm(algorithm));

        using var api = fixture.CreateClient().WithToken(token);
        var created = await api.PostAsJsonAsync("/api/tasks", new { title = $"made with {algorithm}" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        using var agent = fixture.CreateClient("agent").WithToken(token);
        var page = await agent.GetFromJsonAsync<JsonElement>("/api/tasks");
        Assert.Equal($"made with {algorithm}", Assert.Single(page.GetProperty("tasks").EnumerateArray()).GetProperty("title").GetString());
    }

    public static TheoryData<string, string> Rejections()
    {
        var data = new TheoryData<string, string>();
        foreach (var service in new[] { "apiservice", "agent" })
        {
            foreach (var rejection in RejectedTokens.Names) data.Add(rejection, service);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Rejections))]
    public async Task BadTokensGet401WithProblemDetailsAndWwwAuthenticate(string rejection, string service)
    {
        using var client = fixture.CreateClient(service);
        if (RejectedTokens.Create(rejection, "mallory") is { } token) client.WithToken(token);

        var response = await client.GetAsync("/api/tasks");

        await AssertUnauthorizedAsync(response);
    }

    [Fact]
    public async Task ASessionTokenCannotMintASessionToken()
    {
        using var client = fixture.CreateClient().WithToken(TestTokens.Session("sam"));

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/tasks")).StatusCode);
        await AssertUnauthorizedAsync(await client.PostAsync("/api/chatkit/session", null));
    }

    [Fact]
    public async Task JwksKeysAreCachedAndRefetchedWhenAnUnknownKidArrives()
    {
        using var client = fixture.CreateClient().WithToken(TestTokens.BetterAuth("rotor", key: TestKeys.EdDsa));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/tasks")).StatusCode);
        var fetches = fixture.Jwks.Fetches;
        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/tasks")).StatusCode);
        Assert.Equal(fetches, fixture.Jwks.Fetches);

        // Better Auth rotates its key: the first token signed with the new kid makes both services fetch the JWKS again.
        var rotated = new Ed25519TestKey();
        fixture.Jwks.Publish(rotated);
        client.WithToken(TestTokens.BetterAuth("rotor", key: rotated));
        var status = HttpStatusCode.Unauthorized;
        // Refetches are throttled to one per JwksRefreshInterval (1 s in the tests); an earlier test may just have used it.
        for (var attempt = 0; attempt < 4 && status != HttpStatusCode.OK; attempt++)
        {
            if (attempt > 0) await Task.Delay(TimeSpan.FromSeconds(1));
            status = (await client.GetAsync("/api/tasks")).StatusCode;
        }
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(fixture.Jwks.Fetches > fetches, "the services fetched the JWKS again for the new kid");
    }

    internal static async Task AssertUnauthorizedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
    }
}

/// <summary>The list of tokens that must get a 401, each minted for real.</summary>
static class RejectedTokens
{
    public static readonly string[] Names =
    [
        "no token", "garbage", "alg none", "HS256 signed with the RSA public key", "wrong iss", "wrong aud", "expired",
        "nbf in the future", "no sub", "session token with another type", "tampered signature", "unknown signing key",
        "session token signed with another key", "session token signed with the Better Auth secret", "expired session token",
        "sub too long",
    ];

    public static string? Create(string name, string user) => name switch
    {
        "no token" => null,
        "garbage" => "this-is-not-a-jwt",
        "alg none" => TestTokens.Sign(null, Claims(user)),
        "HS256 signed with the RSA public key" => TestTokens.Sign(
            new HmacTestKey(System.Text.Encoding.UTF8.GetBytes(TestKeys.Rs256.PublicKeyPem)), Claims(user),
            new Dictionary<string, object> { ["kid"] = TestKeys.Rs256.KeyId! }),
        "wrong iss" => TestTokens.BetterAuth(user, issuer: "http://evil.example", key: TestKeys.EdDsa),
        "wrong aud" => TestTokens.BetterAuth(user, audience: "http://other-app.example", key: TestKeys.EdDsa),
        "expired" => TestTokens.BetterAuth(user, key: TestKeys.EdDsa,
            claims: c => c["exp"] = DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds()),
        "nbf in the future" => TestTokens.BetterAuth(user, key: TestKeys.Es256,
            claims: c => c["nbf"] = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds()),
        "no sub" => TestTokens.BetterAuth(user, key: TestKeys.EdDsa, claims: c => c.Remove("sub")),
        "session token with another type" => TestTokens.Session(user, type: "chatkit_refresh"),
        "tampered signature" => Tamper(TestTokens.BetterAuth(user, key: TestKeys.EdDsa)),
        "unknown signing key" => TestTokens.BetterAuth(user, key: new Ed25519TestKey()),
        "session token signed with another key" => TestTokens.Session(user,
            key: new HmacTestKey(System.Text.Encoding.UTF8.GetBytes("another-secret-that-is-long-enough-0123456789"))),
        "session token signed with the Better Auth secret" => TestTokens.Session(user, key: TestKeys.Hs256),
        "expired session token" => TestTokens.Session(user, issuedAt: DateTimeOffset.UtcNow.AddHours(-1)),
        "sub too long" => TestTokens.BetterAuth(new string('x', 129), key: TestKeys.EdDsa),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    static Dictionary<string, object> Claims(string user)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new()
        {
            ["sub"] = user, ["iss"] = TestTokens.Issuer, ["aud"] = TestTokens.Audience, ["iat"] = now, ["exp"] = now + 900,
        };
    }

    /// <summary>Changes the payload (another user) but keeps the original signature.</summary>
    static string Tamper(string token)
    {
        var parts = token.Split('.');
        var payload = JsonSerializer.Deserialize<Dictionary<string, object>>(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(parts[1]))!;
        payload["sub"] = "someone-else";
        return parts[0] + "." + Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(JsonSerializer.Serialize(payload)) + "." + parts[2];
    }
}
