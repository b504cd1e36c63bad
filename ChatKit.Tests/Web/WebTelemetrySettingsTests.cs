using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace ChatKit.Tests.Web;

/// <summary>What the AppHost tells the web app about telemetry (the model only; nothing is started).</summary>
public sealed class WebTelemetrySettingsTests
{
    [Fact]
    public async Task RunByTheAppHostTheWebAppGetsTheDashboardsOtlpSettingsUnderItsResourceName()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.ChatKit_AppHost>(
            ["--Postgres:Mode=local", "--Postgres:Ephemeral=true", "--Web:Enabled=true"], cts.Token);
        var web = appHost.Resources.OfType<ExecutableResource>().Single(r => r.Name == "web");
        Assert.True(web.HasAnnotationOfType<OtlpExporterAnnotation>());

        var context = new EnvironmentCallbackContext(appHost.ExecutionContext, web, cancellationToken: cts.Token);
        foreach (var callback in web.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }
        var names = context.EnvironmentVariables.Keys.ToHashSet();
        Assert.Superset(new HashSet<string> { "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES" }, names);
        // The Node.js SDK knows the protocols Aspire hands out (ChatKit.Web/instrumentation.node.ts).
        Assert.Contains(context.EnvironmentVariables["OTEL_EXPORTER_OTLP_PROTOCOL"]?.ToString(), new[] { "grpc", "http/protobuf" });
    }
}
