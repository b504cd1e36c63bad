using System.Text.Json;
using ChatKit.Tests.Infrastructure;

namespace ChatKit.Tests.Web;

/// <summary>What azd gets for the web app: a container built from ChatKit.Web's Dockerfile, wired to the API.</summary>
public sealed class WebPublishTests
{
    [Fact]
    public async Task TheManifestBuildsTheWebAppFromItsDockerfileAndPointsBothServicesAtItsJwks()
    {
        var manifestText = await Repository.PublishManifestAsync();
        using var manifest = JsonDocument.Parse(manifestText);
        var resources = manifest.RootElement.GetProperty("resources");

        var web = resources.GetProperty("web");
        Assert.Equal("container.v1", web.GetProperty("type").GetString());
        Assert.EndsWith("ChatKit.Web/Dockerfile", web.GetProperty("build").GetProperty("dockerfile").GetString());
        Assert.True(web.GetProperty("bindings").GetProperty("http").GetProperty("external").GetBoolean());
        // The public URL is https (Container Apps' ingress in front of port 3000): the origin browsers use and tokens carry.
        var https = web.GetProperty("bindings").GetProperty("https");
        Assert.True(https.GetProperty("external").GetBoolean());
        Assert.Equal(3000, https.GetProperty("targetPort").GetInt32());
        var env = web.GetProperty("env");
        Assert.Equal("{web.bindings.https.url}", env.GetProperty("BETTER_AUTH_URL").GetString());
        Assert.Equal("{web-auth-secret.value}", env.GetProperty("BETTER_AUTH_SECRET").GetString());
        Assert.Equal("{authdb.connectionString}", env.GetProperty("ConnectionStrings__authdb").GetString());
        Assert.Equal("{apiservice.bindings.http.url}", env.GetProperty("services__apiservice__http__0").GetString());
        // Behind Azure Container Apps' ingress: the client's address is the last X-Forwarded-For entry, never the first.
        Assert.Equal("1", env.GetProperty("AUTH_TRUSTED_PROXY_HOPS").GetString());
        Assert.Equal("value.v0", resources.GetProperty("authdb").GetProperty("type").GetString());

        var apiEnv = resources.GetProperty("apiservice").GetProperty("env");
        Assert.Equal("{web.bindings.https.url}", apiEnv.GetProperty("ChatKit__Attachments__PublicBaseUrl").GetString());

        var secret = resources.GetProperty("web-auth-secret").GetProperty("inputs").GetProperty("value");
        Assert.True(secret.GetProperty("secret").GetBoolean());
        Assert.True(secret.GetProperty("default").TryGetProperty("generate", out _));

        foreach (var service in new[] { "apiservice", "agent" })
        {
            var serviceEnv = resources.GetProperty(service).GetProperty("env");
            Assert.Equal("{web.bindings.https.url}/api/auth/jwks", serviceEnv.GetProperty("Auth__BetterAuth__JwksUrl").GetString());
            Assert.Equal("{web.bindings.https.url}", serviceEnv.GetProperty("Auth__BetterAuth__Issuer").GetString());
            Assert.Equal("{web.bindings.https.url}", serviceEnv.GetProperty("Auth__BetterAuth__Audience").GetString());
            Assert.Equal("Production", serviceEnv.GetProperty("ASPNETCORE_ENVIRONMENT").GetString());
        }
    }

    [Fact]
    public async Task WithTheWebAppSwitchedOffThereIsNoWebResourceAndNoAuthDatabase()
    {
        var manifestText = await Repository.PublishManifestAsync("--Web:Enabled=false");
        using var manifest = JsonDocument.Parse(manifestText);
        var resources = manifest.RootElement.GetProperty("resources");
        Assert.False(resources.TryGetProperty("web", out _));
        Assert.False(resources.TryGetProperty("authdb", out _));
        Assert.True(resources.TryGetProperty("apiservice", out _));
    }
}
