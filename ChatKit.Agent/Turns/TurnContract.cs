using System.Text.Json;
using System.Text.Json.Serialization;

namespace ChatKit.Agent.Turns;

// The turn contract between the API service and the agent (docs/agent-turns.md), the agent's side of it; the API
// service keeps its copy in its AgentContracts.cs. Wire names are snake_case.

// ---- request: POST /internal/turns ----------------------------------------------------------------------

/// <summary>One turn: the conversation so far and the new user message (docs/agent-turns.md). Nothing in it names a user.</summary>
public sealed record TurnRequest(
    [property: JsonPropertyName("thread_id")] string? ThreadId,
    IReadOnlyList<TurnMessage>? History,
    TurnInput? Input)
{
    public const int MaxTextLength = 16_000;
    public static readonly string[] Roles = ["user", "assistant", "tool", "note"];

    /// <summary>Field errors keyed by JSON path; empty when the request is usable.</summary>
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (Input is null)
        {
            errors["input"] = ["The input is required."];
        }
        else if (string.IsNullOrWhiteSpace(Input.Text))
        {
            errors["input.text"] = ["The message text is required."];
        }
        else if (Input.Text.Length > MaxTextLength)
        {
            errors["input.text"] = [$"The message text must be at most {MaxTextLength} characters."];
        }
        for (var i = 0; i < (Input?.Mentions?.Count ?? 0); i++)
        {
            if (Input!.Mentions![i] is not { TaskId: > 0 })
            {
                errors[$"input.mentions[{i}].task_id"] = ["A tagged task needs its task_id."];
            }
        }
        for (var i = 0; i < (History?.Count ?? 0); i++)
        {
            var message = History![i];
            if (message is null || !Roles.Contains(message.Role))
            {
                errors[$"history[{i}].role"] = [$"The role must be one of: {string.Join(", ", Roles)}."];
            }
            else if (message.Role == "tool" && string.IsNullOrWhiteSpace(message.Name))
            {
                errors[$"history[{i}].name"] = ["A tool message needs the tool's name."];
            }
            else if (message.Role != "tool" && message.Content is null)
            {
                errors[$"history[{i}].content"] = ["The content is required."];
            }
        }
        return errors;
    }
}

/// <summary>A message of the history: user, assistant or note text, or a tool call with its result.</summary>
public sealed record TurnMessage(
    string? Role,
    string? Content = null,
    [property: JsonPropertyName("call_id")] string? CallId = null,
    string? Name = null,
    JsonElement? Arguments = null,
    JsonElement? Result = null);

public sealed record TurnInput(string? Text, IReadOnlyList<TaskMention>? Mentions = null);

/// <summary>An @-mentioned task (a ChatKit <c>input_tag</c>).</summary>
public sealed record TaskMention(string? Id, string? Title, [property: JsonPropertyName("task_id")] long? TaskId);

// ---- response: one JSON event per NDJSON line --------------------------------------------------------------

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
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The model called a tool; <paramref name="Display"/> is what the user sees while it runs.</summary>
    public sealed record ToolCall(string CallId, string Name, JsonElement Arguments, ToolDisplay Display) : AgentEvent;

    /// <summary>A tool ran; <paramref name="TaskList"/> is set when its result should be shown as a task list.</summary>
    public sealed record ToolResult(string CallId, string Name, JsonElement Result, TaskListView? TaskList = null) : AgentEvent;

    public sealed record TextDelta(string Delta) : AgentEvent;

    public sealed record Done(string Text, TurnUsage Usage) : AgentEvent;

    /// <summary>A failed turn; <paramref name="Retryable"/> says whether sending the same turn again may succeed.</summary>
    public sealed record Error(string Code, string Message, bool Retryable) : AgentEvent
    {
        public const string ModelUnavailable = "model_unavailable";
        public const string ModelError = "model_error";
        public const string AgentError = "agent_error";
    }
}

/// <summary>The progress line shown while a tool runs: a ChatKit icon name and a short text ("Adding “milk”…").</summary>
public sealed record ToolDisplay(string Icon, string Text);

/// <summary>Tasks to show as a list: the rows listed and how many there are in all (more when the list was cut).</summary>
public sealed record TaskListView(IReadOnlyList<TaskListRow> Tasks, int Total);

public sealed record TaskListRow(long TaskId, string Title, string? Description, bool Completed);

public sealed record TurnUsage(long InputTokens, long OutputTokens);
