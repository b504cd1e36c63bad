using Aspire.Hosting.ApplicationModel;

namespace ChatKit.AppHost.Auth;

/// <summary>
/// Passes the token settings to a service. Better Auth: issuer, audience, JWKS URL and the other
/// <c>Auth:BetterAuth:*</c> values from the AppHost's configuration, the shared secret (HS256 mode) from the optional secret
/// parameter <c>better-auth-secret</c>. ChatKit session tokens: the key from the secret parameter
/// <c>chatkit-session-signing-key</c>, else the Better Auth secret, else a random key for this run (so that session tokens
/// work in JWKS-only setups too). Both services get the same values: the agent validates the tokens the API forwards.
/// </summary>
public static class BetterAuthSettings
{
    public const string SecretParameter = "better-auth-secret";
    public const string SessionKeyParameter = "chatkit-session-signing-key";

    public static IResourceBuilder<ProjectResource> WithBetterAuth(this IResourceBuilder<ProjectResource> service)
    {
        var builder = service.ApplicationBuilder;
        foreach (var setting in builder.Configuration.GetSection("Auth:BetterAuth").GetChildren())
        {
            if (setting.Key != "Secret" && !string.IsNullOrEmpty(setting.Value))
            {
                service.WithEnvironment($"Auth__BetterAuth__{setting.Key}", setting.Value);
            }
        }

        // Optional secrets: a secret parameter without a value would leave its services waiting forever.
        var betterAuthSecret = IsSet(builder, SecretParameter) ? Parameter(builder, SecretParameter) : null;
        if (betterAuthSecret is not null)
        {
            service.WithEnvironment("Auth__BetterAuth__Secret", betterAuthSecret);
        }
        var sessionKey = IsSet(builder, SessionKeyParameter) || betterAuthSecret is null
            ? Parameter(builder, SessionKeyParameter, generate: true)
            : betterAuthSecret;
        return service.WithEnvironment("ChatKit__SessionSigningKey", sessionKey);
    }

    static bool IsSet(IDistributedApplicationBuilder builder, string parameter) =>
        !string.IsNullOrEmpty(builder.Configuration[$"Parameters:{parameter}"]);

    /// <summary>The parameter, added once however many services use it; a generated one gets a fresh value per run.</summary>
    static ParameterResource Parameter(IDistributedApplicationBuilder builder, string name, bool generate = false) =>
        builder.Resources.OfType<ParameterResource>().FirstOrDefault(p => p.Name == name)
        ?? (generate
            ? builder.AddParameter(name, new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true, persist: false)
            : builder.AddParameter(name, secret: true)).Resource;
}
