using ChatKit.ServiceDefaults.Auth;
using ChatKit.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ChatKit.Tests.Auth;

/// <summary>Focused tests of the shared auth configuration: bad settings stop a service at start-up with a clear message.</summary>
public sealed class AuthStartupTests
{
    const string Issuer = "http://localhost:3000";

    [Fact]
    public async Task ABetterAuthSecretShorterThan32BytesStopsStartUp()
    {
        var error = await StartupErrorAsync(new() { ["Auth:BetterAuth:Secret"] = "too-short-secret" });

        Assert.Contains("Auth:BetterAuth:Secret (BETTER_AUTH_SECRET) is 16 bytes long; HS256 needs at least 32", error);
    }

    [Fact]
    public async Task AcceptingBetterAuthTokensWithoutIssuerAndAudienceStopsStartUp()
    {
        var error = await StartupErrorAsync(new() { ["Auth:BetterAuth:JwksUrl"] = "https://app.example.com/api/auth/jwks" },
            withIssuer: false);

        Assert.Contains("Issuer and :Audience must be set", error);
    }

    [Theory]
    [InlineData("Auth:BetterAuth:JwksUrl", "/api/auth/jwks", "is not an absolute http(s) URL")]
    [InlineData("ChatKit:SessionSigningKey", "short", "ChatKit:SessionSigningKey must be at least 32 bytes")]
    [InlineData("ChatKit:RefreshWindow", "-01:00:00", "ChatKit:RefreshWindow must be between")]
    [InlineData("ChatKit:RefreshLimit", "00:10:00", "ChatKit:RefreshLimit must be between ChatKit:SessionLifetime and 30 days")]
    public async Task OtherBadAuthSettingsStopStartUp(string key, string value, string message)
    {
        Assert.Contains(message, await StartupErrorAsync(new() { [key] = value }));
    }

    [Fact]
    public async Task AValidConfigurationStarts()
    {
        using var host = Build(new()
        {
            ["Auth:BetterAuth:Secret"] = "a-better-auth-secret-of-32-bytes!",
            ["Auth:BetterAuth:JwksUrl"] = "https://app.example.com/api/auth/jwks",
        });
        await host.StartAsync();
        var session = host.Services.GetRequiredService<ChatKitSessionTokens>().Create("u1");
        Assert.Equal("u1", session.UserId);
        await host.StopAsync();
    }

    [Fact]
    public async Task ASessionKeyEqualToTheBetterAuthSecretStopsStartUp()
    {
        const string shared = "one-secret-for-both-kinds-of-token-0123456789";
        var error = await StartupErrorAsync(new() { ["Auth:BetterAuth:Secret"] = shared, ["ChatKit:SessionSigningKey"] = shared });

        Assert.Contains("ChatKit:SessionSigningKey must not be the Better Auth secret", error);
    }

    [Fact]
    public async Task WithoutASessionKeySessionTokensAreNotSignedWithTheBetterAuthSecret()
    {
        const string betterAuthSecret = "a-better-auth-secret-of-32-bytes!";
        using var host = Build(new() { ["Auth:BetterAuth:Secret"] = betterAuthSecret });
        await host.StartAsync();
        var tokens = host.Services.GetRequiredService<ChatKitSessionTokens>();

        // A session token forged with the Better Auth secret is no session token here.
        var forged = TestTokens.Session("u1", key: new HmacTestKey(System.Text.Encoding.UTF8.GetBytes(betterAuthSecret)));
        Assert.Null(await tokens.ValidateForRefreshAsync(forged));
        Assert.Equal("u1", (await tokens.ValidateForRefreshAsync(tokens.Create("u1").ClientSecret))?.UserId);
        await host.StopAsync();
    }

    static async Task<string> StartupErrorAsync(Dictionary<string, string?> settings, bool withIssuer = true)
    {
        using var host = Build(settings, withIssuer);
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        return error.Message;
    }

    static IHost Build(Dictionary<string, string?> settings, bool withIssuer = true)
    {
        var builder = Host.CreateApplicationBuilder();
        if (withIssuer)
        {
            settings.TryAdd("Auth:BetterAuth:Issuer", Issuer);
            settings.TryAdd("Auth:BetterAuth:Audience", Issuer);
        }
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddChatKitAuthentication();
        return builder.Build();
    }
}
