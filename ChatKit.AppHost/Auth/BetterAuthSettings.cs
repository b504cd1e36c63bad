namespace ChatKit.AppHost.Auth;

/// <summary>
/// Passes the Better Auth token settings to a service: issuer, audience and JWKS URL from the AppHost's
/// configuration (<c>Auth:BetterAuth:*</c>), the shared secret (HS256 mode) from the optional secret parameter
/// <c>better-auth-secret</c>. Optional: a secret parameter without a value would leave its services waiting forever.
/// </summary>
public static class BetterAuthSettings
{
    public static IResourceBuilder<ProjectResource> WithBetterAuth(this IResourceBuilder<ProjectResource> service)
    {
        var builder = service.ApplicationBuilder;
        foreach (var key in new[] { "Issuer", "Audience", "JwksUrl" })
        {
            if (builder.Configuration[$"Auth:BetterAuth:{key}"] is { Length: > 0 } value)
            {
                service.WithEnvironment($"Auth__BetterAuth__{key}", value);
            }
        }
        if (!string.IsNullOrEmpty(builder.Configuration["Parameters:better-auth-secret"]))
        {
            var secret = builder.Resources.OfType<ParameterResource>().FirstOrDefault(p => p.Name == "better-auth-secret")
                         ?? builder.AddParameter("better-auth-secret", secret: true).Resource;
            service.WithEnvironment("Auth__BetterAuth__Secret", secret);
        }
        return service;
    }
}
