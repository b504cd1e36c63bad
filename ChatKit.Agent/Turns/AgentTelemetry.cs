using System.Diagnostics;
using System.Diagnostics.Metrics;
using ChatKit.Agent.Contracts;

namespace ChatKit.Agent.Turns;

/// <summary>The agent's own spans and metrics ("ChatKit.Agent"): turns, tool calls, tokens and errors.</summary>
public sealed class AgentTelemetry
{
    public const string Name = "ChatKit.Agent";

    public static readonly ActivitySource Source = new(Name);

    readonly Counter<long> turns;
    readonly Histogram<double> turnDuration;
    readonly Counter<long> toolCalls;
    readonly Counter<long> tokens;
    readonly Counter<long> errors;

    public AgentTelemetry(IMeterFactory meters)
    {
        var meter = meters.Create(Name);
        turns = meter.CreateCounter<long>("chatkit.agent.turns", "{turn}", "Turns run, by model and outcome.");
        turnDuration = meter.CreateHistogram<double>("chatkit.agent.turn.duration", "s", "Duration of a turn, first byte to last.");
        toolCalls = meter.CreateCounter<long>("chatkit.agent.tool_calls", "{call}", "Tool calls made by the model, by tool and outcome.");
        tokens = meter.CreateCounter<long>("chatkit.agent.tokens", "{token}", "Tokens used, by model and direction (input, output).");
        errors = meter.CreateCounter<long>("chatkit.agent.errors", "{error}", "Failed turns, by error code.");
    }

    public Activity? StartTurn(string model, string? threadId)
    {
        var activity = Source.StartActivity("agent.turn");
        activity?.SetTag("chatkit.model", model);
        activity?.SetTag("chatkit.thread_id", threadId);
        return activity;
    }

    public void ToolCalled(string tool, bool failed) =>
        toolCalls.Add(1, new("tool", tool), new("outcome", failed ? "error" : "ok"));

    public void TurnEnded(string model, TimeSpan duration, TurnUsage usage, string? errorCode)
    {
        var outcome = errorCode is null ? "done" : "error";
        turns.Add(1, new("model", model), new("outcome", outcome));
        turnDuration.Record(duration.TotalSeconds, new("model", model), new("outcome", outcome));
        tokens.Add(usage.InputTokens, new("model", model), new("direction", "input"));
        tokens.Add(usage.OutputTokens, new("model", model), new("direction", "output"));
        if (errorCode is not null) errors.Add(1, new KeyValuePair<string, object?>("code", errorCode));
    }
}
