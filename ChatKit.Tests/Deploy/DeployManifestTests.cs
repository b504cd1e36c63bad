using System.Text.Json;
using System.Text.RegularExpressions;
using ChatKit.Tests.Infrastructure;

namespace ChatKit.Tests.Deploy;

/// <summary>The publish manifest <c>azd up</c> reads, checked against what azd does with it (Azd) and the Bicep it names.</summary>
public sealed partial class DeployManifestTests
{
    const string Domain = "{{ .Env.AZURE_CONTAINER_APPS_ENVIRONMENT_DEFAULT_DOMAIN }}";

    [Theory]
    [InlineData(null)]
    [InlineData("container")]
    [InlineData("local")]
    public async Task TheManifestHasNoContainerDatabaseAndNoVolumesWhateverTheRunMode(string? mode)
    {
        var manifest = await PublishedManifest.ForAsync(mode is null ? [] : [$"--Postgres:Mode={mode}"]);

        Assert.Equal("azure.bicep.v0", manifest.Resources["postgres"].GetProperty("type").GetString());
        foreach (var (name, resource) in manifest.OfType("container.v0", "container.v1", "dockerfile.v0"))
        {
            Assert.DoesNotContain("postgres", resource.TryGetProperty("image", out var image) ? image.GetString() : "", StringComparison.OrdinalIgnoreCase);
            Assert.NotEqual("postgres", name);
        }
        foreach (var (name, resource) in manifest.Resources)
        {
            Assert.False(resource.TryGetProperty("volumes", out _), $"{name} has volumes: azd would mount Azure Files shares.");
            Assert.False(resource.TryGetProperty("bindMounts", out _), $"{name} has bind mounts.");
        }
    }

    [Fact]
    public async Task EveryResourceIsOfATypeAzdDeploys()
    {
        var manifest = await PublishedManifest.DefaultAsync();

        Assert.All(manifest.Resources, r => Assert.Contains(r.Value.GetProperty("type").GetString(), Azd.SupportedTypes));
        Assert.Equal(new[] { "agent", "apiservice", "web" }, manifest.Azd.Services);
    }

    [Fact]
    public async Task EveryBicepResourceNamesACommittedFileThatDeclaresLocationAndEveryParameterItIsGiven()
    {
        var manifest = await PublishedManifest.DefaultAsync();
        var infra = Path.Combine(Repository.Root, "ChatKit.AppHost", "infra") + Path.DirectorySeparatorChar;

        var bicepResources = manifest.OfType("azure.bicep.v0", "azure.bicep.v1").ToList();
        Assert.NotEmpty(bicepResources);
        foreach (var (name, resource) in bicepResources)
        {
            var path = manifest.FullPath(resource.GetProperty("path").GetString()!);
            Assert.True(File.Exists(path), $"{name}: {path} does not exist.");
            Assert.StartsWith(infra, path);

            var declared = (await BicepCli.BuildAsync(path)).GetProperty("parameters");
            Assert.True(declared.TryGetProperty("location", out _), $"{path} declares no location parameter (azd passes one).");
            var given = resource.TryGetProperty("params", out var p) ? p.EnumerateObject().Select(x => x.Name).ToList() : [];
            foreach (var parameter in given)
            {
                Assert.True(declared.TryGetProperty(parameter, out _), $"{name} passes '{parameter}', which {path} does not declare.");
            }
            foreach (var parameter in declared.EnumerateObject().Where(d => !d.Value.TryGetProperty("defaultValue", out _)))
            {
                Assert.True(parameter.Name == "location" || given.Contains(parameter.Name),
                    $"{path} requires '{parameter.Name}', which {name} does not pass.");
            }
        }
    }

    [Fact]
    public async Task EveryOutputTheManifestUsesIsAnOutputOfItsBicepFile()
    {
        var manifest = await PublishedManifest.DefaultAsync();

        var references = manifest.Azd.OutputReferences(manifest.Text).ToList();
        Assert.Contains(("postgres", "hostName"), references);
        foreach (var group in references.GroupBy(r => r.Resource))
        {
            var resource = manifest.Resources[group.Key];
            Assert.Equal("azure.bicep.v0", resource.GetProperty("type").GetString());
            var outputs = (await BicepCli.BuildAsync(manifest.FullPath(resource.GetProperty("path").GetString()!))).GetProperty("outputs");
            foreach (var (_, output) in group)
            {
                Assert.True(outputs.TryGetProperty(output, out _), $"{{{group.Key}.outputs.{output}}} is not an output of {group.Key}'s Bicep file.");
            }
        }
    }

    [Fact]
    public async Task TheServicesReachTheManagedServerWithItsHostNameAGeneratedLoginAndPasswordOverTls()
    {
        var manifest = await PublishedManifest.DefaultAsync();
        var resources = manifest.Resources;

        Assert.Equal("Host={postgres.outputs.hostName};Username={postgres-admin.value};Password={postgres-password.value};SSL Mode=Require",
            resources["postgres"].GetProperty("connectionString").GetString());
        var parameters = resources["postgres"].GetProperty("params");
        Assert.Equal("{postgres-admin.value}", parameters.GetProperty("administratorLogin").GetString());
        Assert.Equal("{postgres-password.value}", parameters.GetProperty("administratorLoginPassword").GetString());
        Assert.Equal(["conversationsdb", "tasksdb", "authdb"], parameters.GetProperty("databases").EnumerateArray().Select(d => d.GetString()));
        foreach (var database in new[] { "conversationsdb", "tasksdb", "authdb" })
        {
            Assert.Equal("value.v0", resources[database].GetProperty("type").GetString());
            Assert.Equal($"{{postgres.connectionString}};Database={database}", resources[database].GetProperty("connectionString").GetString());
        }

        var login = manifest.Azd.Inputs["postgres-admin"];
        Assert.False(login.Secret);
        Assert.Equal("{length:16,noUpper:true,noNumeric:true,noSpecial:true}", login.GenerateMetadata()); // longer than any reserved login
        var password = manifest.Azd.Inputs["postgres-password"];
        Assert.True(password.Secret);
        Assert.Equal("{length:32,noSpecial:true,minLower:1,minUpper:1,minNumeric:1}", password.GenerateMetadata()); // Azure's 3 of 4 classes

        var expected = $"Host={{{{ .Env.POSTGRES_HOSTNAME }}}};Username={{{{ parameter \"postgres_admin\" }}}};" +
                       $"Password={{{{ securedParameter \"postgres_password\" }}}};SSL Mode=Require;Database=";
        Assert.Equal(expected + "conversationsdb", manifest.Azd.ContainerAppOf("apiservice").Secrets["ConnectionStrings__conversationsdb"]);
        Assert.Equal(expected + "tasksdb", manifest.Azd.ContainerAppOf("agent").Secrets["ConnectionStrings__tasksdb"]);
        Assert.Equal(expected + "authdb", manifest.Azd.ContainerAppOf("web").Secrets["ConnectionStrings__authdb"]);
        Assert.Equal("POSTGRES_HOSTNAME", Assert.Single(manifest.Azd.OutputParameters).Key);
    }

    [Fact]
    public async Task SecretsReachTheServicesOnlyAsSecretParametersNeverAsText()
    {
        const string betterAuthSecret = "canary-better-auth-secret-0123456789abcdef";
        const string apiKey = "canary-model-api-key";
        var manifest = await PublishedManifest.ForAsync(
            $"--Parameters:better-auth-secret={betterAuthSecret}", "--Agent:Model:Provider=openai", $"--Agent:Model:ApiKey={apiKey}");

        Assert.DoesNotContain(betterAuthSecret, manifest.Text);
        Assert.DoesNotContain(apiKey, manifest.Text);
        foreach (var (name, input) in manifest.Azd.Inputs.Where(i => i.Value.Secret))
        {
            Assert.True(input.DefaultValue is null, $"The secret parameter {name} has a default value: it would be plain text in main.bicep.");
        }
        Assert.Superset(new HashSet<string> { "postgres-password", "better-auth-secret", "web-auth-secret", "agent-model-api-key" },
            manifest.Azd.Inputs.Where(i => i.Value.Secret).Select(i => i.Key).ToHashSet());

        foreach (var service in manifest.Azd.Services)
        {
            var app = manifest.Azd.ContainerAppOf(service);
            foreach (var (variable, value) in app.Env)
            {
                Assert.DoesNotContain("securedParameter", value);
                Assert.False(SecretName().IsMatch(variable), $"{service}'s {variable} would be a plain environment value: {value}");
            }
        }
        var agentSecrets = manifest.Azd.ContainerAppOf("agent").Secrets;
        Assert.Equal("'{{ securedParameter \"agent_model_api_key\" }}'", agentSecrets["Agent__Model__ApiKey"]);
        Assert.Equal("'{{ securedParameter \"better_auth_secret\" }}'", agentSecrets["Auth__BetterAuth__Secret"]);
        // Session tokens have a key of their own, never the Better Auth secret (docs/auth.md).
        Assert.Equal("'{{ securedParameter \"chatkit_session_signing_key\" }}'", agentSecrets["ChatKit__SessionSigningKey"]);
        Assert.Equal("'{{ securedParameter \"web_auth_secret\" }}'", manifest.Azd.ContainerAppOf("web").Secrets["BETTER_AUTH_SECRET"]);
    }

    [Fact]
    public async Task OnlyTheWebAppAndTheApiAreReachableFromOutside()
    {
        var azd = (await PublishedManifest.DefaultAsync()).Azd;

        Assert.False(azd.ContainerAppOf("agent").Ingress!.External);
        Assert.True(azd.ContainerAppOf("apiservice").Ingress!.External);
        Assert.True(azd.ContainerAppOf("web").Ingress!.External);
        Assert.Equal("3000", azd.ContainerAppOf("web").Ingress!.TargetPort);
        // The API reaches the agent inside the environment; the agent's ingress allows plain http there.
        Assert.Equal($"http://agent.internal.{Domain}", azd.ContainerAppOf("apiservice").Env["services__agent__http__0"]);
        Assert.True(azd.ContainerAppOf("agent").Ingress!.AllowInsecure);
    }

    [Fact]
    public async Task TheServicesRunAsProductionAndTrustTokensFromTheWebAppsHttpsOrigin()
    {
        var azd = (await PublishedManifest.DefaultAsync()).Azd;
        var origin = $"https://web.{Domain}";

        Assert.Equal(origin, azd.ContainerAppOf("web").Env["BETTER_AUTH_URL"]);
        foreach (var service in new[] { "apiservice", "agent" })
        {
            var env = azd.ContainerAppOf(service).Env;
            Assert.Equal("Production", env["ASPNETCORE_ENVIRONMENT"]);
            Assert.Equal($"{origin}/api/auth/jwks", env["Auth__BetterAuth__JwksUrl"]);
            Assert.Equal(origin, env["Auth__BetterAuth__Issuer"]);
            Assert.Equal(origin, env["Auth__BetterAuth__Audience"]);
        }
        Assert.Equal(origin, azd.ContainerAppOf("apiservice").Env["ChatKit__Attachments__PublicBaseUrl"]);
        // The web app calls the API on https (ChatKit.Web prefers it): the http address only redirects.
        Assert.Equal($"https://apiservice.{Domain}", azd.ContainerAppOf("web").Env["services__apiservice__https__0"]);
    }

    [Fact]
    public async Task TheMcpEndpointIsTheWebAppsHttpsOriginAndItsTokensComeFromBetterAuthsOAuthIssuer()
    {
        var azd = (await PublishedManifest.DefaultAsync()).Azd;
        var origin = $"https://web.{Domain}";

        // Better Auth's OAuth provider issues tokens for this resource; the API (edge) and the agent accept only those.
        Assert.Equal($"{origin}/mcp", azd.ContainerAppOf("web").Env["MCP_RESOURCE"]);
        foreach (var service in new[] { "apiservice", "agent" })
        {
            var env = azd.ContainerAppOf(service).Env;
            Assert.Equal($"{origin}/mcp", env["Auth__Mcp__Resource"]);
            Assert.Equal($"{origin}/api/auth", env["Auth__Mcp__Issuer"]);
        }
        // The web app's /mcp passes through to the API, which is reachable from outside as the public edge.
        Assert.True(azd.ContainerAppOf("apiservice").Ingress!.External);
    }

    [Fact]
    public async Task BringingYourOwnServerPublishesSecretConnectionStringsAndNoServer()
    {
        var manifest = await PublishedManifest.ForAsync("--Postgres:Mode=external");

        Assert.Empty(manifest.OfType("azure.bicep.v0", "azure.bicep.v1"));
        Assert.False(manifest.Resources.ContainsKey("postgres"));
        foreach (var database in new[] { "conversationsdb", "tasksdb", "authdb" })
        {
            var resource = manifest.Resources[database];
            Assert.Equal("parameter.v0", resource.GetProperty("type").GetString());
            Assert.Equal($"{{{database}.value}}", resource.GetProperty("connectionString").GetString());
            Assert.True(manifest.Azd.Inputs[database].Secret);
        }
        Assert.Equal("'{{ securedParameter \"conversationsdb\" }}'", manifest.Azd.ContainerAppOf("apiservice").Secrets["ConnectionStrings__conversationsdb"]);
    }

    [GeneratedRegex("secret|password|apikey|signingkey|ConnectionStrings__", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();
}
