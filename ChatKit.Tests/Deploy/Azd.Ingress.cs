using System.Text.Json;

namespace ChatKit.Tests.Deploy;

/// <summary>aca_ingress.go's part of <see cref="Azd"/>: a service's bindings and the ingress azd gives its container app.</summary>
public sealed partial class Azd
{
    static string UrlPort(Binding binding, bool onMainIngress) =>
        binding.Port?.ToString()
        ?? (onMainIngress && binding.Scheme == "http" ? "80" : onMainIngress && binding.Scheme == "https" ? "443" : null)
        ?? binding.TargetPort?.ToString()
        ?? "{{ targetPortOrDefault 0 }}";

    /// <summary>aca_ingress.go's buildAcaIngress, for http(s) bindings (the only kind this app has).</summary>
    Ingress? IngressOf(string name, string type)
    {
        var bindings = BindingsOf(resources[name]);
        if (bindings.Count == 0) return null;
        if (bindings.Any(b => b.Scheme is not ("http" or "https")))
            throw new NotSupportedException($"{name} has a non-http binding, which this port does not follow.");
        var groups = bindings.GroupBy(b => b.TargetPort?.ToString() ?? "default").ToList();
        if (groups.Count(g => g.Any(b => b.External)) > 1) throw new InvalidOperationException($"{name}: azd supports one external endpoint group only.");
        var main = groups.Count == 1 ? groups[0]
            : groups.Where(g => g.Any(b => b.External)).ToList() is [var externalGroup] ? externalGroup
            : groups.OrderBy(g => bindings.FindIndex(b => g.Contains(b))).First();
        if (groups.Count > 1) throw new NotSupportedException($"{name}: additional port mappings are not followed by this port.");
        foreach (var binding in main)
        {
            if (binding.Port is { } port && port != (binding.Scheme == "http" ? 80 : 443))
                throw new InvalidOperationException($"{name}'s binding {binding.Name} has port {port}, which the main ingress cannot serve.");
        }
        var defaultPort = type == "container.v0" || type == "dockerfile.v0" ? 80 : 8080;
        var targetPort = main.Select(b => b.TargetPort).LastOrDefault(p => p is not null);
        var external = main.Any(b => b.External);
        var http2 = main.Any(b => b.Transport == "http2");
        return new Ingress(
            External: external,
            TargetPort: targetPort is { } fixedPort ? fixedPort.ToString() : $"{{{{ targetPortOrDefault {defaultPort} }}}}",
            Transport: http2 ? "http2" : "http",
            AllowInsecure: http2 || !external,
            Bindings: [.. main.Select(b => b.Name)]);
    }

    static List<Binding> BindingsOf(JsonElement resource) => resource.TryGetProperty("bindings", out var bindings)
        ? [.. bindings.EnumerateObject().Select(b => new Binding(
            b.Name,
            StringOf(b.Value, "scheme")!,
            StringOf(b.Value, "protocol")!,
            StringOf(b.Value, "transport")!,
            b.Value.TryGetProperty("external", out var external) && external.GetBoolean(),
            b.Value.TryGetProperty("port", out var port) ? port.GetInt32() : null,
            b.Value.TryGetProperty("targetPort", out var targetPort) ? targetPort.GetInt32() : null))]
        : [];
}
