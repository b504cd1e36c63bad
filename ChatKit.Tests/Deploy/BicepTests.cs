using System.Text.Json;
using ChatKit.Tests.Infrastructure;

namespace ChatKit.Tests.Deploy;

/// <summary>The committed Bicep, compiled and linted offline, and the main.bicep azd would wrap around it.</summary>
public sealed class BicepTests
{
    public static TheoryData<string> BicepFiles => [.. Directory.EnumerateFiles(
            Path.Combine(Repository.Root, "ChatKit.AppHost", "infra"), "*.bicep", SearchOption.AllDirectories)
        .Select(path => Path.GetRelativePath(Repository.Root, path)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public async Task EveryCommittedBicepFileBuildsAndLintsWithoutErrorsOrWarnings(string file)
    {
        var path = Path.Combine(Repository.Root, file);

        var build = await BicepCli.RunAsync("build", path, "--stdout");
        Assert.True(build.ExitCode == 0 && build.Problems.Count == 0, $"bicep build {file}:\n{build.Diagnostics}");
        var lint = await BicepCli.RunAsync("lint", path);
        Assert.True(lint.ExitCode == 0 && lint.Problems.Count == 0, $"bicep lint {file}:\n{lint.Diagnostics}");
    }

    [Fact]
    public async Task ThePostgresServerRequiresTlsLetsOnlyAzureServicesInAndCreatesTheDatabasesItIsGiven()
    {
        var template = await BicepCli.BuildAsync(Path.Combine(Repository.Root, "ChatKit.AppHost", "infra", "postgres.bicep"));
        var parameters = template.GetProperty("parameters");
        var resources = template.GetProperty("resources").EnumerateObject().Select(r => r.Value).ToList();
        JsonElement Single(string type) => Assert.Single(resources, r => r.GetProperty("type").GetString() == type);
        static string? Text(JsonElement element, params string[] path) =>
            path.Aggregate(element, (e, p) => e.GetProperty(p)).GetString();

        Assert.Equal("securestring", parameters.GetProperty("administratorLoginPassword").GetProperty("type").GetString());
        Assert.False(parameters.GetProperty("administratorLogin").TryGetProperty("defaultValue", out _));
        var server = Single("Microsoft.DBforPostgreSQL/flexibleServers");
        Assert.Equal("Enabled", Text(server, "properties", "authConfig", "passwordAuth"));

        var firewall = Single("Microsoft.DBforPostgreSQL/flexibleServers/firewallRules");
        Assert.Equal("0.0.0.0", Text(firewall, "properties", "startIpAddress"));
        Assert.Equal("0.0.0.0", Text(firewall, "properties", "endIpAddress"));

        var configurations = resources.Where(r => r.GetProperty("type").GetString() == "Microsoft.DBforPostgreSQL/flexibleServers/configurations")
            .ToDictionary(r => Text(r, "name")!.Split('/')[^1].TrimEnd('\'', ')', ']'), r => Text(r, "properties", "value"));
        Assert.Equal("on", configurations.Single(c => c.Key.EndsWith("require_secure_transport", StringComparison.Ordinal)).Value);
        Assert.Equal("TLSv1.2", configurations.Single(c => c.Key.EndsWith("ssl_min_protocol_version", StringComparison.Ordinal)).Value);

        var databases = Single("Microsoft.DBforPostgreSQL/flexibleServers/databases");
        Assert.Contains("parameters('databases')", databases.GetProperty("copy").GetProperty("count").GetString());
        Assert.EndsWith(".fullyQualifiedDomainName]", Text(template, "outputs", "hostName", "value"));
    }

    public static TheoryData<string> Configurations =>
    [
        "",
        "--Postgres:Mode=external",
        "--Agent:Model:Provider=azure-openai --Agent:Model:Endpoint=https://example.openai.azure.com/ --Agent:Model:Deployment=gpt-4o-mini",
    ];

    [Theory]
    [MemberData(nameof(Configurations))]
    public async Task TheMainBicepAzdGeneratesFromTheManifestCompilesWithOurModules(string appHostArguments)
    {
        var manifest = await PublishedManifest.ForAsync(appHostArguments.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var directory = Directory.CreateTempSubdirectory("chatkit-azd-main-");
        try
        {
            var main = AzdMainBicep.WriteTo(directory.FullName, manifest);

            var build = await BicepCli.RunAsync("build", main, "--stdout");
            var errors = build.Problems.Where(p => p.Contains(" : Error ")).ToList();
            Assert.True(build.ExitCode == 0 && errors.Count == 0, $"azd's main.bicep does not compile:\n{build.Diagnostics}\n{File.ReadAllText(main)}");
            var outputs = JsonDocument.Parse(build.Output).RootElement.GetProperty("outputs");
            foreach (var output in manifest.Azd.OutputParameters.Keys)
            {
                Assert.True(outputs.TryGetProperty(output, out _), $"main.bicep has no output {output}");
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
