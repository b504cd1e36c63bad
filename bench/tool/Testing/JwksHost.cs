using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ChatKit.Bench.Testing;

/// <summary>Serves the JWKS document at http://127.0.0.1:PORT/api/auth/jwks, as Better Auth does.</summary>
public sealed class JwksHost : IAsyncDisposable
{
    readonly WebApplication app;
    public string JwksUrl { get; }

    JwksHost(WebApplication app, string url) { this.app = app; JwksUrl = url; }

    public static async Task<JwksHost> StartAsync(TokenIssuer issuer)
    {
        var port = Net.FreePort();
        var b = WebApplication.CreateSlimBuilder();
        b.Logging.ClearProviders();
        b.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = b.Build();
        app.MapGet("/api/auth/jwks", () => Results.Content(issuer.Jwks, "application/json"));
        await app.StartAsync();
        return new JwksHost(app, $"http://127.0.0.1:{port}/api/auth/jwks");
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
