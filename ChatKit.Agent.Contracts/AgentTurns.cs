using System.Text.Json.Serialization;

namespace ChatKit.Agent.Contracts;

// The turn contract between the API service and the agent (docs/agent-turns.md): POST /internal/turns takes an
// AgentTurnRequest and answers with one AgentEvent per NDJSON line. Wire names are snake_case. The request's fields
// are nullable because the agent validates what it receives; nothing in it names a user.

/// <summary>One turn: the conversation so far and the new user message.</summary>
public sealed record AgentTurnRequest(
    [property: JsonPropertyName("thread_id")] string? ThreadId,
    IReadOnlyList<AgentHistoryEntry>? History,
    AgentTurnInput? Input);

/// <summary>One history entry: user, assistant or note text, or a tool call with its result.</summary>
public sealed record AgentHistoryEntry(
    string? Role,
    string? Content = null,
    [property: JsonPropertyName("call_id")] string? CallId = null,
    string? Name = null,
    RawJson? Arguments = null,
    RawJson? Result = null)
{
    public const string User = "user";
    public const string Assistant = "assistant";
    public const string Tool = "tool";
    public const string Note = "note";
}

public sealed record AgentTurnInput(string Text, IReadOnlyList<AgentMention>? Mentions = null);

/// <summary>An @-mentioned task (a ChatKit <c>input_tag</c>).</summary>
public sealed record AgentMention(string? Id, string? Title, [property: JsonPropertyName("task_id")] long? TaskId);
