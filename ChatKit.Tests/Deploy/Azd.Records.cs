using System.Text.Json;

namespace ChatKit.Tests.Deploy;

/// <summary>What <see cref="Azd"/> reads from the manifest and makes of it: bindings, ingress, container apps, modules, inputs.</summary>
public sealed partial class Azd
{
    public sealed record Binding(string Name, string Scheme, string Protocol, string Transport, bool External, int? Port, int? TargetPort);

    public sealed record Ingress(bool External, string TargetPort, string Transport, bool AllowInsecure, IReadOnlyList<string> Bindings);

    /// <summary>A container app: env values and secrets as azd writes them (YAML scalars holding Go template expressions).</summary>
    public sealed record ContainerApp(string Name, Ingress? Ingress,
        IReadOnlyDictionary<string, string> Env, IReadOnlyDictionary<string, string> Secrets)
    {
        /// <summary>scaffold.ContainerAppSecretName.</summary>
        public static string SecretName(string variable) => variable.ToLowerInvariant().Replace('_', '-');
    }

    public sealed record BicepModule(string Name, string Path, IReadOnlyDictionary<string, string> Parameters);

    public sealed record Input(bool Secret, string Type, string? DefaultValue, JsonElement? Generate)
    {
        public static Input From(JsonElement input) => new(
            input.TryGetProperty("secret", out var secret) && secret.GetBoolean(),
            input.TryGetProperty("type", out var type) ? type.GetString()! : "string",
            input.TryGetProperty("default", out var d) && d.TryGetProperty("value", out var v) ? v.GetString() : null,
            input.TryGetProperty("default", out var g) && g.TryGetProperty("generate", out var generate) ? generate.Clone() : null);

        /// <summary>generate.go's inputMetadata: the <c>@metadata({azd: …})</c> config azd generates the value from.</summary>
        public string? GenerateMetadata()
        {
            if (Generate is not { } generate) return null;
            uint Number(string name) => generate.TryGetProperty(name, out var n) ? n.GetUInt32() : 0;
            bool? Flag(string name) => generate.TryGetProperty(name, out var b) ? b.GetBoolean() : null;
            var length = Math.Max(Number("minLength"), Number("minLower") + Number("minUpper") + Number("minNumeric") + Number("minSpecial"));
            var parts = new List<string>();
            if (length > 0) parts.Add($"length:{length}");
            foreach (var (flag, key) in new[] { ("lower", "noLower"), ("upper", "noUpper"), ("numeric", "noNumeric"), ("special", "noSpecial") })
            {
                if (Flag(flag) is { } set) parts.Add($"{key}:{(!set ? "true" : "false")}");
            }
            foreach (var key in new[] { "minLower", "minUpper", "minNumeric", "minSpecial" })
            {
                if (generate.TryGetProperty(key, out var n)) parts.Add($"{key}:{n.GetUInt32()}");
            }
            return "{" + string.Join(",", parts) + "}";
        }
    }
}
