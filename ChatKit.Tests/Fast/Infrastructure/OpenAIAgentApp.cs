using ChatKit.Tests.Agent;

namespace ChatKit.Tests.Fast.Infrastructure;

/// <summary>
/// The agent in process on the <c>openai</c> provider, its <c>Agent:Model:*</c> settings pointing at a fake
/// OpenAI-compatible server on 127.0.0.1; retries are fast and attempts short so failure tests finish quickly, and its
/// traces and metrics go to an OTLP receiver, quickly.
/// </summary>
public sealed class OpenAIAgentApp : AgentApp
{
    public const int MaxRetryAttempts = 2;
    public const int MaxHistoryMessages = 10;
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(2);

    public FakeOpenAIServer Model { get; } = new();

    /// <summary>Where the agent exports its traces and metrics (instead of the dashboard).</summary>
    public OtlpReceiver Telemetry { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string>> Settings() =>
    [
        .. base.Settings(),
        new("Agent:Model:Provider", "openai"),
        new("Agent:Model:Model", "fake-model"),
        new("Agent:Model:BaseUrl", Model.BaseUrl),
        new("Agent:Model:ApiKey", "test-key"),
        new("Agent:Model:Resilience:Retry:Delay", "00:00:00.050"),
        new("Agent:Model:Resilience:Retry:MaxRetryAttempts", $"{MaxRetryAttempts}"),
        new("Agent:Model:Resilience:AttemptTimeout:Timeout", $"{AttemptTimeout}"),
        new("Agent:Turns:MaxHistoryMessages", $"{MaxHistoryMessages}"),
        new("OTEL_EXPORTER_OTLP_ENDPOINT", Telemetry.Url),
        new("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
        new("OTEL_BSP_SCHEDULE_DELAY", "200"),
        new("OTEL_METRIC_EXPORT_INTERVAL", "500"),
    ];

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Model.Dispose();
        Telemetry.Dispose();
    }
}
