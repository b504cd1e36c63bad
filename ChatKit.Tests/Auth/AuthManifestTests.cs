using System.Text.Json;
using ChatKit.Tests.Infrastructure;

namespace ChatKit.Tests.Auth;

/// <summary>What a deployment (azd, from the publish manifest) gets of the auth settings.</summary>
public sealed class AuthManifestTests
{
    [Fact]
    public async Task BothServicesGetTheBetterAuthSettingsAndAGeneratedSecretSessionKey()
    {
        var manifestText = await Repository.PublishManifestAsync("--Auth:BetterAuth:JwksUrl=https://app.example.com/api/auth/jwks", "--Auth:BetterAuth:Issuer=https://app.example.com", "--Auth:BetterAuth:Audience=https://app.example.com", "--Cors:Origins=https://app.example.com");

        using var manifest = JsonDocument.Parse(manifestText);
        var resources = manifest.RootElement.GetProperty("resources");
        var key = resources.GetProperty("chatkit-session-signing-key");
        Assert.Equal("parameter.v0", key.GetProperty("type").GetString());
        var input = key.GetProperty("inputs").GetProperty("value");
        Assert.True(input.GetProperty("secret").GetBoolean());
        Assert.True(input.GetProperty("default").GetProperty("generate").GetProperty("minLength").GetInt32() >= 32);

        foreach (var service in new[] { "apiservice", "agent" })
        {
            var env = resources.GetProperty(service).GetProperty("env");
            Assert.Equal("{chatkit-session-signing-key.value}", env.GetProperty("ChatKit__SessionSigningKey").GetString());
            Assert.Equal("https://app.example.com/api/auth/jwks", env.GetProperty("Auth__BetterAuth__JwksUrl").GetString());
            Assert.Equal("https://app.example.com", env.GetProperty("Auth__BetterAuth__Issuer").GetString());
            Assert.False(env.TryGetProperty("Auth__BetterAuth__Secret", out _));
        }
        Assert.Equal("https://app.example.com", resources.GetProperty("apiservice").GetProperty("env").GetProperty("Cors__Origins").GetString());
        Assert.False(resources.GetProperty("agent").GetProperty("env").TryGetProperty("Cors__Origins", out _));
    }

    [Fact]
    public async Task TheSessionKeyIsItsOwnGeneratedSecretEvenWhenABetterAuthSecretIsSet()
    {
        var manifestText = await Repository.PublishManifestAsync("--Parameters:better-auth-secret=a-better-auth-secret-of-32-bytes-or-more",
            "--Auth:BetterAuth:Issuer=https://app.example.com", "--Auth:BetterAuth:Audience=https://app.example.com");

        using var manifest = JsonDocument.Parse(manifestText);
        var resources = manifest.RootElement.GetProperty("resources");
        Assert.True(resources.GetProperty("chatkit-session-signing-key").GetProperty("inputs").GetProperty("value")
            .GetProperty("default").TryGetProperty("generate", out _));
        foreach (var service in new[] { "apiservice", "agent" })
        {
            var env = resources.GetProperty(service).GetProperty("env");
            Assert.Equal("{chatkit-session-signing-key.value}", env.GetProperty("ChatKit__SessionSigningKey").GetString());
            Assert.Equal("{better-auth-secret.value}", env.GetProperty("Auth__BetterAuth__Secret").GetString());
        }
    }
}
