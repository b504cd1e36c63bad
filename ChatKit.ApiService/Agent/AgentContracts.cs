using System.Text.Json.Serialization;
using ChatKit.ApiService.Infrastructure;

namespace ChatKit.ApiService.Agent;

// The agent's internal turn endpoint (docs/agent-turns.md) and its task API, as the API service uses them.

public sealed record AgentTurnRequest(string ThreadId, IReadOnlyList<AgentHistoryEntry> History, AgentTurnInput Input);

/// <summary>One history entry: role <c>user</c>, <c>assistant</c>, <c>tool</c> or <c>note</c>.</summary>
public sealed record AgentHistoryEntry
{
    public const string User = "user";
    public const string Assistant = "assistant";
    public const string Tool = "tool";
    public const string Note = "note";

    public required string Role { get; init; }
    public string? Content { get; init; }
    public string? CallId { get; init; }
    public string? Name { get; init; }
    public RawJson? Arguments { get; init; }
    public RawJson? Result { get; init; }
}

public sealed record AgentTurnInput(string Text, IReadOnlyList<AgentMention>? Mentions = null);

public sealed record AgentMention(string Id, string Title, long? TaskId);

/// <summary>One NDJSON line of the agent's answer: tool_call, tool_result, text_delta, done or error.</summary>
public sealed record AgentEvent
{
    public const string ToolCall = "tool_call";
    public const string ToolResult = "tool_result";
    public const string TextDelta = "text_delta";
    public const string Done = "done";
    public const string Error = "error";

    public string Type { get; init; } = "";
    public string? CallId { get; init; }
    public string? Name { get; init; }
    public RawJson? Arguments { get; init; }
    public RawJson? Result { get; init; }
    public string? Delta { get; init; }
    public string? Text { get; init; }
    public string? Code { get; init; }
    public string? Message { get; init; }
    public bool Retryable { get; init; }
}

public sealed record AgentTask
{
    public long Id { get; init; }
    public string Title { get; init; } = "";
    public string? Description { get; init; }
    public bool Completed { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }
}

public sealed record AgentTaskPage
{
    public List<AgentTask> Tasks { get; init; } = [];
    public bool HasMore { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(AgentTurnRequest))]
[JsonSerializable(typeof(AgentEvent))]
[JsonSerializable(typeof(AgentTask))]
[JsonSerializable(typeof(AgentTaskPage))]
public sealed partial class AgentJsonContext : JsonSerializerContext;
