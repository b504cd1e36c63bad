using System.Text.Json.Serialization;

namespace ChatKit.Agent.Contracts;

/// <summary>
/// One event of a turn's NDJSON stream. A stream ends with one <see cref="Done"/> or <see cref="Error"/>. A reader
/// skips events of a type it does not know (they arrive as a plain <see cref="AgentEvent"/>).
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type", IgnoreUnrecognizedTypeDiscriminators = true)]
[JsonDerivedType(typeof(ToolCall), "tool_call")]
[JsonDerivedType(typeof(ToolResult), "tool_result")]
[JsonDerivedType(typeof(TextDelta), "text_delta")]
[JsonDerivedType(typeof(Done), "done")]
[JsonDerivedType(typeof(Error), "error")]
public record AgentEvent
{
    /// <summary>The model called a tool; <paramref name="Display"/> is what the user sees while it runs.</summary>
    public sealed record ToolCall(
        [property: JsonPropertyName("call_id")] string? CallId, string? Name, RawJson? Arguments, ToolDisplay? Display) : AgentEvent;

    /// <summary>A tool ran; <paramref name="TaskList"/> is set when its result should be shown as a task list.</summary>
    public sealed record ToolResult(
        [property: JsonPropertyName("call_id")] string? CallId, string? Name, RawJson? Result,
        [property: JsonPropertyName("task_list")] TaskListView? TaskList = null) : AgentEvent;

    public sealed record TextDelta(string? Delta) : AgentEvent;

    /// <summary>The end of a turn: the whole text and the tokens the model used.</summary>
    public sealed record Done(string? Text, TurnUsage? Usage = null) : AgentEvent;

    /// <summary>A failed turn; <paramref name="Retryable"/> says whether sending the same turn again may succeed.</summary>
    public sealed record Error(string? Code, string? Message, bool Retryable) : AgentEvent
    {
        public const string ModelUnavailable = "model_unavailable";
        public const string ModelError = "model_error";
        public const string AgentError = "agent_error";
    }
}

/// <summary>The progress line shown while a tool runs: a ChatKit icon name and a short text ("Adding “milk”…").</summary>
public sealed record ToolDisplay(string? Icon, string Text);

/// <summary>Tasks to show as a list: the rows listed and how many there are in all (more when the list was cut).</summary>
public sealed record TaskListView(IReadOnlyList<TaskListRow> Tasks, int Total);

public sealed record TaskListRow([property: JsonPropertyName("task_id")] long TaskId, string Title, string? Description, bool Completed);

public sealed record TurnUsage(
    [property: JsonPropertyName("input_tokens")] long InputTokens,
    [property: JsonPropertyName("output_tokens")] long OutputTokens);
