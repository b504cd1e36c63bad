using System.Text.Json;
using System.Text.Json.Serialization;

namespace ChatKit.Agent.Turns;

/// <summary>One event of a turn's NDJSON stream (docs/agent-turns.md). A stream ends with one <see cref="DoneEvent"/> or <see cref="ErrorEvent"/>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(ToolCallEvent), "tool_call")]
[JsonDerivedType(typeof(ToolResultEvent), "tool_result")]
[JsonDerivedType(typeof(TextDeltaEvent), "text_delta")]
[JsonDerivedType(typeof(DoneEvent), "done")]
[JsonDerivedType(typeof(ErrorEvent), "error")]
public abstract record AgentEvent
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };
}

public sealed record ToolCallEvent(string CallId, string Name, JsonElement Arguments) : AgentEvent;

public sealed record ToolResultEvent(string CallId, string Name, JsonElement Result) : AgentEvent;

public sealed record TextDeltaEvent(string Delta) : AgentEvent;

public sealed record DoneEvent(string Text, TurnUsage Usage) : AgentEvent;

/// <summary>A failed turn; <paramref name="Retryable"/> says whether sending the same turn again may succeed.</summary>
public sealed record ErrorEvent(string Code, string Message, bool Retryable) : AgentEvent
{
    public const string ModelUnavailable = "model_unavailable";
    public const string ModelError = "model_error";
    public const string AgentError = "agent_error";
}

public sealed record TurnUsage(long InputTokens, long OutputTokens);
