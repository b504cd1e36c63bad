using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace ChatKit.ServiceDefaults.Auth;

/// <summary>
/// Better Auth's signing keys, fetched and cached once per process for every scheme that checks its tokens (the web
/// app's JWTs and the MCP access tokens of its OAuth provider share one JWKS); null without a JWKS URL.
/// </summary>
sealed class BetterAuthJwksSource(IOptions<BetterAuthOptions> settings, IHttpClientFactory httpClients, IHostEnvironment environment)
{
    readonly Lazy<ConfigurationManager<OpenIdConnectConfiguration>?> manager = new(() =>
    {
        var betterAuth = settings.Value;
        if (string.IsNullOrEmpty(betterAuth.JwksUrl)) return null;
        var retriever = new HttpDocumentRetriever(httpClients.CreateClient(Microsoft.Extensions.Hosting.ChatKitAuth.JwksHttpClient))
        {
            RequireHttps = !environment.IsDevelopment() && !new Uri(betterAuth.JwksUrl).IsLoopback,
        };
        return new ConfigurationManager<OpenIdConnectConfiguration>(betterAuth.JwksUrl, new BetterAuthJwksRetriever(), retriever)
        {
            RefreshInterval = betterAuth.JwksRefreshInterval,
            AutomaticRefreshInterval = betterAuth.JwksCacheDuration,
        };
    });

    public ConfigurationManager<OpenIdConnectConfiguration>? Manager => manager.Value;
}
