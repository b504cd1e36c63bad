using Aspire.Hosting.ApplicationModel;

namespace ChatKit.AppHost.Auth;

/// <summary>
/// Passes the token settings to a service. Better Auth: issuer, audience, JWKS URL and the other
/// <c>Auth:BetterAuth:*</c> values from the AppHost's configuration, the shared secret (HS256 mode) from the optional secret
/// parameter <c>better-auth-secret</c>. ChatKit session tokens: a key of their own, the secret parameter
/// <c>chatkit-session-signing-key</c>: set it to choose the key, else the AppHost generates one and keeps it (user
/// secrets; azd generates one for a deployment), never the Better Auth secret, so a session token and a Better Auth
/// JWT never share a key. Both services get the same values: the agent validates the tokens the API forwards.
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

        // The MCP resource (Auth:Mcp:Resource, :Issuer, :AuthorizationServer) when configured; with the web app its defaults
        // come from WebFrontEnd.WithBetterAuthFrom.
        foreach (var setting in builder.Configuration.GetSection("Auth:Mcp").GetChildren())
        {
            if (!string.IsNullOrEmpty(setting.Value))
            {
                service.WithEnvironment($"Auth__Mcp__{setting.Key}", setting.Value);
            }
        }

        // Optional secrets: a secret parameter without a value would leave its services waiting forever.
        var betterAuthSecret = IsSet(builder, SecretParameter) ? Parameter(builder, SecretParameter) : null;
        if (betterAuthSecret is not null)
        {
            service.WithEnvironment("Auth__BetterAuth__Secret", betterAuthSecret);
        }
        return service.WithEnvironment("ChatKit__SessionSigningKey", Parameter(builder, SessionKeyParameter, generate: true));
    }

    static bool IsSet(IDistributedApplicationBuilder builder, string parameter) =>
        !string.IsNullOrEmpty(builder.Configuration[$"Parameters:{parameter}"]);

    /// <summary>
    /// The parameter, added once however many services use it. A generated one is kept (user secrets) so that session
    /// tokens survive a restart of the AppHost; a configured value always wins.
    /// </summary>
    static ParameterResource Parameter(IDistributedApplicationBuilder builder, string name, bool generate = false) =>
        builder.Resources.OfType<ParameterResource>().FirstOrDefault(p => p.Name == name)
        ?? (generate
            ? builder.AddParameter(name, new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true, persist: true)
            : builder.AddParameter(name, secret: true)).Resource;
}
