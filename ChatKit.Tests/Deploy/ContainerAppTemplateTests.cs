using System.Text.RegularExpressions;
using ChatKit.Tests.Infrastructure;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ChatKit.Tests.Deploy;

/// <summary>
/// The committed <c>ChatKit.AppHost/infra/{service}.tmpl.yaml</c> files azd deploys the container apps from.
/// Set CHATKIT_WRITE_INFRA=1 to rewrite them from the manifest and <see cref="ContainerAppTemplates.Services"/>.
/// </summary>
public sealed partial class ContainerAppTemplateTests
{
    public static TheoryData<string> Services => [.. ContainerAppTemplates.Services.Keys];

    [Fact]
    public async Task EveryServiceAzdDeploysHasATemplateAndEveryTemplateIsAService()
    {
        var manifest = await PublishedManifest.DefaultAsync();
        var templates = Directory.EnumerateFiles(Path.Combine(Repository.Root, "ChatKit.AppHost", "infra"), "*.tmpl.yaml")
            .Select(path => Path.GetFileName(path)[..^".tmpl.yaml".Length]).Order(StringComparer.Ordinal);

        Assert.Equal(manifest.Azd.Services, ContainerAppTemplates.Services.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(manifest.Azd.Services, templates);
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task TheTemplateIsWhatAzdGeneratesFromTheManifestWithProbesAndScaleAdded(string service)
    {
        var manifest = await PublishedManifest.DefaultAsync();
        var expected = ContainerAppTemplates.Render(manifest.Azd.ContainerAppOf(service), ContainerAppTemplates.Services[service]);
        var path = ContainerAppTemplates.PathOf(service);
        if (Environment.GetEnvironmentVariable("CHATKIT_WRITE_INFRA") == "1") await File.WriteAllTextAsync(path, expected);

        Assert.True(File.Exists(path), $"{path} is missing; CHATKIT_WRITE_INFRA=1 writes it.");
        var actual = (await File.ReadAllTextAsync(path)).Split('\n');
        var lines = expected.Split('\n');
        var difference = Enumerable.Range(0, Math.Max(actual.Length, lines.Length))
            .FirstOrDefault(i => i >= actual.Length || i >= lines.Length || actual[i] != lines[i], -1);
        if (difference >= 0)
        {
            Assert.Fail($"{Path.GetFileName(path)} is out of step with the manifest at line {difference + 1}:\n" +
                $"  committed: {(difference < actual.Length ? actual[difference] : "(end)")}\n" +
                $"  expected:  {(difference < lines.Length ? lines[difference] : "(end)")}\n" +
                "Run the Deploy tests with CHATKIT_WRITE_INFRA=1 to rewrite it, then review the diff.");
        }
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task TheRenderedTemplateIsYamlWithProbesScaleBoundsAndSecretsOnlyAsSecretReferences(string service)
    {
        var manifest = await PublishedManifest.DefaultAsync();
        var app = manifest.Azd.ContainerAppOf(service);
        var settings = ContainerAppTemplates.Services[service];
        var root = RenderAsAzdWould(await File.ReadAllTextAsync(ContainerAppTemplates.PathOf(service)));

        var ingress = Map(root, "properties", "configuration", "ingress");
        Assert.Equal(app.Ingress!.External ? "true" : "false", Scalar(ingress, "external"));
        var port = Scalar(ingress, "targetPort");
        Assert.True(int.TryParse(port, out _), $"targetPort {port}");

        var container = Assert.IsType<YamlMappingNode>(Assert.Single(Sequence(root, "properties", "template", "containers")));
        Assert.Equal(service, Scalar(container, "name"));
        var probes = Sequence(container, "probes").Cast<YamlMappingNode>().ToDictionary(p => Scalar(p, "type"));
        Assert.Equal(["Liveness", "Readiness", "Startup"], probes.Keys.Order());
        Assert.Equal(settings.LivenessPath, Scalar(probes["Liveness"], "httpGet", "path"));
        Assert.Equal(settings.LivenessPath, Scalar(probes["Startup"], "httpGet", "path"));
        Assert.Equal(settings.ReadinessPath, Scalar(probes["Readiness"], "httpGet", "path"));
        Assert.All(probes.Values, p => Assert.Equal(port, Scalar(p, "httpGet", "port")));

        var scale = Map(root, "properties", "template", "scale");
        Assert.Equal("1", Scalar(scale, "minReplicas"));
        Assert.Equal(settings.MaxReplicas.ToString(), Scalar(scale, "maxReplicas"));
        var rule = Assert.IsType<YamlMappingNode>(Assert.Single(Sequence(scale, "rules")));
        var concurrency = (YamlScalarNode)Map(rule, "http", "metadata").Children[new YamlScalarNode("concurrentRequests")];
        Assert.Equal(settings.ConcurrentRequests.ToString(), concurrency.Value);
        Assert.NotEqual(ScalarStyle.Plain, concurrency.Style); // Container Apps wants the metadata as strings

        var secrets = Sequence(root, "properties", "configuration", "secrets").Cast<YamlMappingNode>()
            .ToDictionary(s => Scalar(s, "name"), s => Scalar(s, "value"));
        var env = Sequence(container, "env").Cast<YamlMappingNode>().ToList();
        foreach (var variable in env)
        {
            var name = Scalar(variable, "name");
            if (variable.Children.ContainsKey(new YamlScalarNode("secretRef")))
            {
                Assert.Contains(Scalar(variable, "secretRef"), secrets.Keys);
                Assert.True(app.Secrets.ContainsKey(name), $"{name} is a secret reference but azd would make it a plain value.");
            }
            else
            {
                Assert.DoesNotContain(SecretMarker, Scalar(variable, "value"));
            }
        }
        Assert.Equal(secrets.Count, env.Count(v => v.Children.ContainsKey(new YamlScalarNode("secretRef"))));
        Assert.All(secrets.Values.Where(v => v.Contains("Password=")), v => Assert.Contains(SecretMarker, v));
        Assert.Equal(service, Scalar(root, "tags", "azd-service-name"));
    }

    const string SecretMarker = "SECRET-";

    /// <summary>
    /// The template after the Go template step of azd's deploy (service_target_dotnet_containerapp.go), with sample
    /// values: environment values, generated images and parameters, secured parameters marked so they can be traced.
    /// </summary>
    static YamlMappingNode RenderAsAzdWould(string template)
    {
        var rendered = GoTemplateAction().Replace(template, match => match.Groups[1].Value.Trim() switch
        {
            ".Image" => "registry.example/app:1",
            "targetPortOrDefault 0" => "8080",
            var action when action.StartsWith(".Env.", StringComparison.Ordinal) => "env-" + action[".Env.".Length..].ToLowerInvariant(),
            var action when action.StartsWith("targetPortOrDefault ", StringComparison.Ordinal) => action["targetPortOrDefault ".Length..],
            var action when ParameterWithDefault().Match(action) is { Success: true } p => p.Groups[2].Value,
            var action when Parameter().Match(action) is { Success: true } p => (p.Groups[1].Value == "securedParameter" ? SecretMarker : "param-") + p.Groups[2].Value,
            var action => throw new NotSupportedException($"azd's deploy step knows no '{action}' (or this test does not)."),
        });
        var stream = new YamlStream();
        stream.Load(new StringReader(rendered));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    static YamlMappingNode Map(YamlNode node, params string[] path) =>
        (YamlMappingNode)path.Aggregate(node, (n, key) => ((YamlMappingNode)n).Children[new YamlScalarNode(key)]);

    static YamlSequenceNode Sequence(YamlNode node, params string[] path) =>
        (YamlSequenceNode)Map(node, path[..^1]).Children[new YamlScalarNode(path[^1])];

    static string Scalar(YamlNode node, params string[] path) =>
        ((YamlScalarNode)Map(node, path[..^1]).Children[new YamlScalarNode(path[^1])]).Value!;

    [GeneratedRegex(@"\{\{(.*?)\}\}")]
    private static partial Regex GoTemplateAction();

    [GeneratedRegex("^parameterWithDefault \"([^\"]+)\" \"([^\"]*)\"$")]
    private static partial Regex ParameterWithDefault();

    [GeneratedRegex("^(parameter|securedParameter) \"([^\"]+)\"$")]
    private static partial Regex Parameter();
}
