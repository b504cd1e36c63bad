using ChatKit.Agent.Contracts;

namespace ChatKit.Agent.Turns;

/// <summary>What the agent accepts of a turn request (docs/agent-turns.md): the contract's fields are nullable, this says which must be there.</summary>
public static class TurnValidation
{
    public const int MaxTextLength = 16_000;
    public static readonly string[] Roles = [AgentHistoryEntry.User, AgentHistoryEntry.Assistant, AgentHistoryEntry.Tool, AgentHistoryEntry.Note];

    /// <summary>Field errors keyed by JSON path; empty when the request is usable.</summary>
    public static Dictionary<string, string[]> Validate(this AgentTurnRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        var input = request.Input;
        if (input is null)
        {
            errors["input"] = ["The input is required."];
        }
        else if (string.IsNullOrWhiteSpace(input.Text))
        {
            errors["input.text"] = ["The message text is required."];
        }
        else if (input.Text.Length > MaxTextLength)
        {
            errors["input.text"] = [$"The message text must be at most {MaxTextLength} characters."];
        }
        for (var i = 0; i < (input?.Mentions?.Count ?? 0); i++)
        {
            if (input!.Mentions![i] is not { TaskId: > 0 })
            {
                errors[$"input.mentions[{i}].task_id"] = ["A tagged task needs its task_id."];
            }
        }
        for (var i = 0; i < (request.History?.Count ?? 0); i++)
        {
            var message = request.History![i];
            if (message is null || !Roles.Contains(message.Role))
            {
                errors[$"history[{i}].role"] = [$"The role must be one of: {string.Join(", ", Roles)}."];
            }
            else if (message.Role == AgentHistoryEntry.Tool && string.IsNullOrWhiteSpace(message.Name))
            {
                errors[$"history[{i}].name"] = ["A tool message needs the tool's name."];
            }
            else if (message.Role != AgentHistoryEntry.Tool && message.Content is null)
            {
                errors[$"history[{i}].content"] = ["The content is required."];
            }
        }
        return errors;
    }
}
