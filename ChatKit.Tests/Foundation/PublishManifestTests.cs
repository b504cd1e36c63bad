using System.Text.Json;
using ChatKit.Tests.Infrastructure;

namespace ChatKit.Tests.Foundation;

/// <summary>What azd sees: the AppHost run in publish mode, exactly as `azd up` runs it.</summary>
public sealed class PublishManifestTests
{
    [Fact]
    public async Task ManifestHasAzurePostgresServicesAndSecretParametersButNoLocalPaths()
    {
        var text = await Repository.PublishManifestAsync("--Postgres:Mode=local");

        using var manifest = JsonDocument.Parse(text);
        var resources = manifest.RootElement.GetProperty("resources");

        // Publishing ignores the local mode: azd gets the managed server of infra/postgres.bicep (Deploy/ checks it in depth).
        Assert.Equal("azure.bicep.v0", resources.GetProperty("postgres").GetProperty("type").GetString());
        Assert.Equal("value.v0", resources.GetProperty("conversationsdb").GetProperty("type").GetString());
        Assert.Equal("value.v0", resources.GetProperty("tasksdb").GetProperty("type").GetString());
        Assert.Equal("project.v0", resources.GetProperty("apiservice").GetProperty("type").GetString());
        Assert.Equal("project.v0", resources.GetProperty("agent").GetProperty("type").GetString());
        Assert.True(resources.GetProperty("apiservice").GetProperty("bindings").GetProperty("http").GetProperty("external").GetBoolean());

        var password = resources.GetProperty("postgres-password");
        Assert.Equal("parameter.v0", password.GetProperty("type").GetString());
        Assert.True(password.GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean());

        // The agent reaches only its own database; the API reaches the agent by service discovery.
        var agentEnv = resources.GetProperty("agent").GetProperty("env");
        var apiEnv = resources.GetProperty("apiservice").GetProperty("env");
        Assert.True(agentEnv.TryGetProperty("ConnectionStrings__tasksdb", out _));
        Assert.False(agentEnv.TryGetProperty("ConnectionStrings__conversationsdb", out _));
        Assert.True(apiEnv.TryGetProperty("ConnectionStrings__conversationsdb", out _));
        Assert.False(apiEnv.TryGetProperty("ConnectionStrings__tasksdb", out _));
        Assert.True(apiEnv.TryGetProperty("services__agent__http__0", out _));

        foreach (var leak in new[] { "executable.v0", "setpriv", "/usr/lib/postgresql", "chatkit-pg", ".password", Path.GetTempPath() })
        {
            Assert.DoesNotContain(leak, text);
        }
    }
}
