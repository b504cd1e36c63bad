using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ChatKit.Tests.Deploy;

/// <summary>
/// What azd makes of the AppHost's publish manifest: a port of the parts of Azure/azure-dev's cli/azd/pkg/apphost
/// (generate.go: evalBindingRef, buildEnvBlock, addBicep, resolveBicepReference; aca_ingress.go; eval.go) that this app's
/// manifest reaches, so that the committed container-app templates and Bicep can be checked against it without azd.
/// Anything outside that subset throws: a manifest that grows past it needs this port to grow too.
/// </summary>
public sealed partial class Azd
{
    /// <summary>The resource types azd's LoadManifest accepts; any other fails `azd up` with "unsupported resource type".</summary>
    public static readonly string[] SupportedTypes =
    [
        "project.v0", "project.v1", "container.v0", "container.v1", "dockerfile.v0", "dapr.v0", "dapr.component.v0",
        "parameter.v0", "value.v0", "annotated.string", "azure.bicep.v0", "azure.bicep.v1",
    ];

    static readonly string[] ComputeTypes = ["project.v0", "project.v1", "container.v0", "container.v1", "dockerfile.v0"];

    readonly Dictionary<string, JsonElement> resources;

    public Azd(JsonElement manifest)
    {
        resources = manifest.GetProperty("resources").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
        foreach (var (name, resource) in resources)
        {
            var type = TypeOf(resource);
            if (!SupportedTypes.Contains(type)) throw new NotSupportedException($"azd does not accept {name}'s type {type}.");
        }
    }

    public IReadOnlyDictionary<string, JsonElement> Resources => resources;

    /// <summary>The resources azd deploys as container apps.</summary>
    public IEnumerable<string> Services => resources.Where(r => ComputeTypes.Contains(TypeOf(r.Value))).Select(r => r.Key).Order(StringComparer.Ordinal);

    /// <summary>parameter.v0 resources whose value is their own input: they become main.bicep parameters.</summary>
    public IReadOnlyDictionary<string, Input> Inputs => inputs ??= resources
        .Where(r => TypeOf(r.Value) == "parameter.v0" && InputReference().IsMatch(StringOf(r.Value, "value") ?? ""))
        .ToDictionary(r => r.Key, r => Input.From(r.Value.GetProperty("inputs").GetProperty(InputReference().Match(StringOf(r.Value, "value")!).Groups[2].Value)));

    Dictionary<string, Input>? inputs;

    /// <summary>The container app azd would write for a service (its <c>azd infra gen</c> template, before our additions).</summary>
    public ContainerApp ContainerAppOf(string service)
    {
        var resource = resources[service];
        var type = TypeOf(resource);
        if (!ComputeTypes.Contains(type)) throw new ArgumentException($"{service} is a {type}, not a container app.");
        foreach (var unsupported in new[] { "args", "volumes", "bindMounts", "entrypoint", "deployment" })
        {
            if (resource.TryGetProperty(unsupported, out _)) throw new NotSupportedException($"{service} has {unsupported}, which this port does not follow.");
        }

        var env = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var secrets = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (resource.TryGetProperty("env", out var variables))
        {
            foreach (var variable in variables.EnumerateObject())
            {
                var value = variable.Value.GetString()!;
                var resolved = YamlString(Eval(value, Emit.Yaml));
                // buildEnvBlock's rule: connection strings and secured parameters become container-app secrets.
                if (variable.Name.Contains("ConnectionStrings__") || value.Contains(".connectionString}")
                    || resolved.Contains("{{ securedParameter ") || resolved.Contains("{{ secretOutput "))
                {
                    secrets[variable.Name] = resolved;
                }
                else
                {
                    env[variable.Name] = resolved;
                }
            }
        }
        return new ContainerApp(service, IngressOf(service, type), env, secrets);
    }

    /// <summary>The Bicep modules main.bicep calls: path and parameters as Bicep expressions (azd adds <c>location</c>).</summary>
    public IReadOnlyDictionary<string, BicepModule> BicepModules => resources
        .Where(r => TypeOf(r.Value) is "azure.bicep.v0" or "azure.bicep.v1" && r.Value.TryGetProperty("path", out _))
        .ToDictionary(r => r.Key, r =>
        {
            var parameters = new SortedDictionary<string, string>(StringComparer.Ordinal);
            if (r.Value.TryGetProperty("params", out var given))
            {
                foreach (var parameter in given.EnumerateObject())
                {
                    var json = parameter.Value.GetRawText();
                    if (json == "\"\"") throw new NotSupportedException($"{r.Key}.{parameter.Name} is empty: azd would inject a well-known value.");
                    parameters[parameter.Name] = BicepReference(CompactJson(parameter.Value));
                }
            }
            parameters.TryAdd("location", "location");
            return new BicepModule(r.Key, StringOf(r.Value, "path")!, parameters);
        });

    /// <summary>main.bicep's outputs: each <c>{res.outputs.X}</c> a connection string or env value uses, as NAME → res.outputs.X.</summary>
    public IReadOnlyDictionary<string, string> OutputParameters
    {
        get
        {
            var outputs = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var resource in resources.Values)
            {
                var values = new List<string>();
                if (StringOf(resource, "connectionString") is { } connectionString) values.Add(connectionString);
                if (resource.TryGetProperty("env", out var env)) values.AddRange(env.EnumerateObject().Select(e => e.Value.GetString()!));
                foreach (Match match in values.SelectMany(v => OutputReference().Matches(v)))
                {
                    var (name, kind, output) = (match.Groups[1].Value, match.Groups[2].Value, match.Groups[3].Value);
                    if (kind != "outputs") throw new NotSupportedException($"{match.Value}: secret outputs need a Key Vault, which this app does not use.");
                    outputs[$"{name.ToUpperInvariant()}_{output.ToUpperInvariant()}"] = $"{name}.outputs.{output}";
                }
            }
            return outputs;
        }
    }

    /// <summary>Every <c>{res.outputs.X}</c> anywhere in the manifest, as (resource, output).</summary>
    public IEnumerable<(string Resource, string Output)> OutputReferences(string manifestText) =>
        OutputReference().Matches(manifestText).Select(m => (m.Groups[1].Value, m.Groups[3].Value)).Distinct();

    enum Emit { Yaml, Bicep }

    /// <summary>eval.go's EvalString: <c>{expr}</c> is evaluated, <c>{{</c> and <c>}}</c> are escaped braces.</summary>
    string Eval(string source, Emit emit)
    {
        var result = new StringBuilder();
        for (var i = 0; i < source.Length; i++)
        {
            switch (source[i])
            {
                case '{' when i + 1 < source.Length && source[i + 1] == '{':
                    result.Append('{');
                    i++;
                    break;
                case '{':
                    var end = source.IndexOf('}', i + 1);
                    if (end < 0) throw new FormatException($"unclosed '{{' at {i} in {source}");
                    result.Append(EvalReference(source[(i + 1)..end], emit));
                    i = end;
                    break;
                case '}' when i + 1 < source.Length && source[i + 1] == '}':
                    result.Append('}');
                    i++;
                    break;
                case '}':
                    throw new FormatException($"unexpected '}}' at {i} in {source}");
                default:
                    result.Append(source[i]);
                    break;
            }
        }
        return result.ToString();
    }

    /// <summary>generate.go's evalBindingRef for the references this app's manifest makes.</summary>
    string EvalReference(string reference, Emit emit)
    {
        var dot = reference.IndexOf('.');
        if (dot <= 0) throw new NotSupportedException($"'{reference}' is not <resource>.<property>.");
        var (name, property) = (reference[..dot], reference[(dot + 1)..]);
        if (!resources.TryGetValue(name, out var resource)) throw new InvalidOperationException($"unknown resource referenced: {name}");
        var type = TypeOf(resource);

        if (property == "connectionString" && StringOf(resource, "connectionString") is { } connectionString)
            return Eval(connectionString, emit);
        if (property == "value" && type == "value.v0" && StringOf(resource, "value") is { } value && !InputReference().IsMatch(value))
            return Eval(value, emit);
        if (property == "value" && type == "annotated.string")
        {
            if (StringOf(resource, "filter") != "uri") throw new NotSupportedException($"{name}: only the uri filter is supported.");
            return Eval(StringOf(resource, "value")!, emit).Replace("{{ ", "{{ uriEncode (").Replace("}}", ")}}");
        }
        if (property.StartsWith("inputs.", StringComparison.Ordinal))
            throw new NotSupportedException($"{reference}: direct input references are not used by this app.");

        var identifier = name.Replace('-', '_');
        switch (type)
        {
            case "parameter.v0":
                if (property != "value") throw new NotSupportedException(reference);
                var input = Inputs[name];
                if (emit == Emit.Bicep) return $"{{{{{identifier}}}}}";
                if (input.DefaultValue is { } defaultValue)
                {
                    if (input.Secret) throw new InvalidOperationException($"azd refuses a default value for the secured parameter {name}.");
                    return $"{{{{ parameterWithDefault \"{identifier}\" \"{defaultValue}\"}}}}";
                }
                return input.Secret ? $"{{{{ securedParameter \"{identifier}\" }}}}" : $"{{{{ parameter \"{identifier}\" }}}}";
            case "azure.bicep.v0" or "azure.bicep.v1":
                if (!property.StartsWith("outputs.", StringComparison.Ordinal)) throw new NotSupportedException($"{reference}: only outputs are supported.");
                var output = property["outputs.".Length..];
                return emit == Emit.Yaml
                    ? $"{{{{ .Env.{identifier.ToUpperInvariant()}_{output.ToUpperInvariant()} }}}}"
                    : $"{{{{{identifier}.outputs.{output}}}}}";
            case var compute when ComputeTypes.Contains(compute):
                return BindingReference(name, compute, property, emit);
            default:
                throw new NotSupportedException($"azd cannot resolve {reference} ({type}).");
        }
    }

    string BindingReference(string name, string type, string property, Emit emit)
    {
        if (property == "containerImage") return "{{ .Image }}";
        if (property == "containerPort") return "{{ containerPort }}";
        var parts = property.Split('.');
        if (parts is not ["bindings", var bindingName, var bindingProperty])
            throw new NotSupportedException($"{name}.{property}: only bindings.<name>.<property> is supported.");
        var binding = BindingsOf(resources[name]).FirstOrDefault(b => b.Name == bindingName)
            ?? throw new InvalidOperationException($"unknown binding {bindingName} of {name}");
        var ingress = IngressOf(name, type) ?? throw new InvalidOperationException($"binding reference to {name}, which has no ingress");
        var onMainIngress = ingress.Bindings.Contains(bindingName);
        var httpOnMain = onMainIngress && binding.Scheme is "http" or "https";
        var domain = emit == Emit.Yaml
            ? "{{ .Env.AZURE_CONTAINER_APPS_ENVIRONMENT_DEFAULT_DOMAIN }}"
            : "${resources.outputs.AZURE_CONTAINER_APPS_ENVIRONMENT_DEFAULT_DOMAIN}";
        var suffix = binding.External ? domain : "internal." + domain;
        return bindingProperty switch
        {
            "scheme" or "transport" => binding.Scheme,
            "protocol" => binding.Protocol,
            "external" => binding.External ? "true" : "false",
            "host" => httpOnMain ? $"{name}.{suffix}" : name,
            "targetPort" => binding.TargetPort?.ToString() ?? "{{ targetPortOrDefault 0 }}",
            "port" => httpOnMain ? (binding.Scheme == "http" ? "80" : "443")
                : binding.Port?.ToString() ?? binding.TargetPort?.ToString() ?? "{{ targetPortOrDefault 0 }}",
            "url" => onMainIngress
                ? $"{binding.Scheme}://{name}.{suffix}{(httpOnMain ? "" : ":" + UrlPort(binding, onMainIngress))}"
                : $"{binding.Scheme}://{name}:{UrlPort(binding, onMainIngress)}",
            _ => throw new NotSupportedException($"{name}.{property}"),
        };
    }

    /// <summary>resolveBicepReference: single-quoted strings are evaluated; one whole reference stays a bare expression.</summary>
    string BicepReference(string json)
    {
        var singleQuoted = json.Replace('"', '\'');
        var evaluated = SingleQuotedString().Replace(singleQuoted, m => Eval(m.Value, Emit.Bicep));
        var bare = evaluated.Replace("'{{", "").Replace("}}'", "");
        if (evaluated == $"'{{{{{bare}}}}}'") return bare;
        evaluated = PropertyName().Replace(evaluated, "$1:");
        return evaluated.Replace("'{{", "${").Replace("}}'", "}");
    }

    static string TypeOf(JsonElement resource) => resource.GetProperty("type").GetString()!;

    static string? StringOf(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [GeneratedRegex(@"^\{([a-zA-Z][a-zA-Z0-9\-]*)\.inputs\.([a-zA-Z][a-zA-Z0-9\-]*)\}$")]
    private static partial Regex InputReference();

    [GeneratedRegex(@"\{([a-zA-Z0-9\-]+)\.(outputs|secretOutputs)\.([a-zA-Z0-9\-_]+)\}")]
    private static partial Regex OutputReference();

    [GeneratedRegex("'[^']*'")]
    private static partial Regex SingleQuotedString();

    [GeneratedRegex("'([^']*)':")]
    private static partial Regex PropertyName();

}
