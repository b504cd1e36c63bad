using System.Text;

namespace ChatKit.Tests.Deploy;

/// <summary>
/// The committed <c>ChatKit.AppHost/infra/{service}.tmpl.yaml</c> files. azd deploys a container app from such a file
/// when it exists, instead of generating one from the manifest (service_target_dotnet_containerapp.go), so each holds
/// exactly what azd would generate (its containerApp.tmpl.yamlt, as <c>azd infra gen</c> writes it) plus probes,
/// resources and scale rules, which azd never generates. <see cref="Services"/> is where those additions are decided.
/// </summary>
public static class ContainerAppTemplates
{
    /// <summary>Probes, size and scale of each service. Max replicas and the concurrency are azd environment values.</summary>
    public static readonly IReadOnlyDictionary<string, ServiceSettings> Services = new Dictionary<string, ServiceSettings>
    {
        // Maximums that keep the worst-case connection count (20 per service replica, 10 per web replica: 350) within the
        // default server's 414 user connections (infra/postgres.bicep, Standard_B2s).
        ["agent"] = new(LivenessPath: "/alive", ReadinessPath: "/health", MaxReplicas: 5, ConcurrentRequests: 50),
        ["apiservice"] = new(LivenessPath: "/alive", ReadinessPath: "/health", MaxReplicas: 10, ConcurrentRequests: 50),
        ["web"] = new(LivenessPath: "/api/alive", ReadinessPath: "/api/health", MaxReplicas: 5, ConcurrentRequests: 50),
    };

    public sealed record ServiceSettings(string LivenessPath, string ReadinessPath, int MaxReplicas, int ConcurrentRequests,
        string Cpu = "0.5", string Memory = "1Gi");

    public static string PathOf(string service) =>
        Path.Combine(Infrastructure.Repository.Root, "ChatKit.AppHost", "infra", $"{service}.tmpl.yaml");

    /// <summary>The azd environment value that sets a service's maximum replicas (parameterWithDefault reads AZURE_ + upper snake case).</summary>
    public static string MaxReplicasParameter(string service) => $"{service}_max_replicas";

    public static string ConcurrentRequestsParameter(string service) => $"{service}_concurrent_requests";

    public static string Render(Azd.ContainerApp app, ServiceSettings settings)
    {
        var port = app.Ingress?.TargetPort ?? throw new InvalidOperationException($"{app.Name} has no ingress to probe.");
        var yaml = new StringBuilder();
        void Line(string text) => yaml.Append(text).Append('\n');

        Line($"# The container app azd deploys for '{app.Name}': what `azd infra gen` writes for it from the AppHost's manifest,");
        Line("# plus startup, liveness and readiness probes, CPU and memory, and scale bounds with an HTTP concurrency rule.");
        Line("# Kept in step with the manifest by ChatKit.Tests/Deploy/ContainerAppTemplateTests (which can rewrite it).");
        Line("api-version: 2024-02-02-preview");
        Line("location: {{ .Env.AZURE_LOCATION }}");
        Line("identity:");
        Line("  type: UserAssigned");
        Line("  userAssignedIdentities:");
        Line("    ? \"{{ .Env.AZURE_CONTAINER_REGISTRY_MANAGED_IDENTITY_ID }}\"");
        Line("    : {}");
        Line("properties:");
        Line("  environmentId: {{ .Env.AZURE_CONTAINER_APPS_ENVIRONMENT_ID }}");
        Line("  configuration:");
        Line("    activeRevisionsMode: single");
        Line("    runtime:");
        Line("      dotnet:");
        Line("        autoConfigureDataProtection: true");
        if (app.Ingress is { } ingress)
        {
            Line("    ingress:");
            Line($"      external: {(ingress.External ? "true" : "false")}");
            Line($"      targetPort: {ingress.TargetPort}");
            Line($"      transport: {ingress.Transport}");
            Line($"      allowInsecure: {(ingress.AllowInsecure ? "true" : "false")}");
        }
        Line("    registries:");
        Line("      - server: {{ .Env.AZURE_CONTAINER_REGISTRY_ENDPOINT }}");
        Line("        identity: {{ .Env.AZURE_CONTAINER_REGISTRY_MANAGED_IDENTITY_ID }}");
        if (app.Secrets.Count > 0)
        {
            Line("    secrets:");
            foreach (var (name, value) in app.Secrets)
            {
                Line($"      - name: {Azd.ContainerApp.SecretName(name)}");
                Line($"        value: {value}");
            }
        }
        Line("  template:");
        Line("    containers:");
        Line("      - image: {{ .Image }}");
        Line($"        name: {app.Name}");
        Line("        env:");
        Line("          - name: AZURE_CLIENT_ID");
        Line("            value: {{ .Env.MANAGED_IDENTITY_CLIENT_ID }}");
        foreach (var (name, value) in app.Env)
        {
            Line($"          - name: {name}");
            Line($"            value: {value}");
        }
        foreach (var name in app.Secrets.Keys)
        {
            Line($"          - name: {name}");
            Line($"            secretRef: {Azd.ContainerApp.SecretName(name)}");
        }
        // Added: azd generates none of the following.
        Line("        probes:");
        Probe("Startup", settings.LivenessPath, initialDelay: 3, period: 5, failures: 10);
        Probe("Liveness", settings.LivenessPath, initialDelay: 0, period: 10, failures: 3);
        Probe("Readiness", settings.ReadinessPath, initialDelay: 0, period: 5, failures: 3);
        Line("        resources:");
        Line($"          cpu: {settings.Cpu}");
        Line($"          memory: {settings.Memory}");
        Line("    scale:");
        Line("      minReplicas: 1");
        Line($"      maxReplicas: {{{{ parameterWithDefault \"{MaxReplicasParameter(app.Name)}\" \"{settings.MaxReplicas}\" }}}}");
        Line("      rules:");
        Line("        - name: http-concurrency");
        Line("          http:");
        Line("            metadata:");
        Line($"              concurrentRequests: '{{{{ parameterWithDefault \"{ConcurrentRequestsParameter(app.Name)}\" \"{settings.ConcurrentRequests}\" }}}}'");
        Line("tags:");
        Line($"  azd-service-name: {app.Name}");
        Line($"  aspire-resource-name: {app.Name}");
        return yaml.ToString();

        void Probe(string type, string path, int initialDelay, int period, int failures)
        {
            Line($"          - type: {type}");
            Line("            httpGet:");
            Line($"              path: {path}");
            Line($"              port: {port}");
            Line($"            initialDelaySeconds: {initialDelay}");
            Line($"            periodSeconds: {period}");
            Line($"            failureThreshold: {failures}");
        }
    }
}
