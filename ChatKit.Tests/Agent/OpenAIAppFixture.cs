using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using ChatKit.Tests.Infrastructure;

namespace ChatKit.Tests.Agent;

/// <summary>
/// The whole app with the agent on the <c>openai</c> provider, pointed by the AppHost's <c>Agent:Model:*</c> settings at
/// a fake OpenAI-compatible server on 127.0.0.1; retries are fast and attempts short so failure tests finish quickly.
/// </summary>
public sealed class OpenAIAppFixture : AppFixture
{
    public const int MaxRetryAttempts = 2;
    public const int MaxHistoryMessages = 10;
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(2);

    public FakeOpenAIServer Model { get; } = new();

    /// <summary>Where the agent exports its traces and metrics (instead of the dashboard), quickly.</summary>
    public OtlpReceiver Telemetry { get; } = new();

    protected override IEnumerable<string> Arguments =>
    [
        .. base.Arguments,
        "--Agent:Model:Provider=openai",
        "--Agent:Model:Model=fake-model",
        $"--Agent:Model:BaseUrl={Model.BaseUrl}",
        "--Agent:Model:ApiKey=test-key",
    ];

    protected override void ConfigureService(IResourceBuilder<ProjectResource> service)
    {
        if (service.Resource.Name != "agent") return;
        service
            .WithEnvironment("Agent__Model__Resilience__Retry__Delay", "00:00:00.050")
            .WithEnvironment("Agent__Model__Resilience__Retry__MaxRetryAttempts", MaxRetryAttempts.ToString())
            .WithEnvironment("Agent__Model__Resilience__AttemptTimeout__Timeout", AttemptTimeout.ToString())
            .WithEnvironment("Agent__Turns__MaxHistoryMessages", MaxHistoryMessages.ToString())
            .WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", Telemetry.Url)
            .WithEnvironment("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
            .WithEnvironment("OTEL_BSP_SCHEDULE_DELAY", "200")
            .WithEnvironment("OTEL_METRIC_EXPORT_INTERVAL", "500");
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Model.Dispose();
        Telemetry.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class OpenAIAppCollection : ICollectionFixture<OpenAIAppFixture>
{
    public const string Name = "openai-app";
}
