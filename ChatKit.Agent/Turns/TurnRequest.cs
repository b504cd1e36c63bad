using System.Text.Json;
using System.Text.Json.Serialization;

namespace ChatKit.Agent.Turns;

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
