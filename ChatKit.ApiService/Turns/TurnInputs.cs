using System.Text.Json;
using System.Text;
using ChatKit.Agent.Contracts;
using ChatKit.ApiService.Conversations;
using ChatKit.ApiService.ChatKit.Protocol;

namespace ChatKit.ApiService.Turns;

/// <summary>Turns stored ChatKit items and user input into what the agent's turn endpoint takes.</summary>
public static class TurnInputs
{
    public const string CancelledNote = "The user cancelled the stream. Stop responding to the prior request.";
    public const string ClientToolDone = "The client tool call has completed; continue with its result.";
    const int MaxQuotedLength = 2000;

    /// <summary>The message as plain text; an @-mention reads as "@title".</summary>
    public static string PlainText(IEnumerable<UserContent> content)
    {
        var text = new StringBuilder();
        foreach (var part in content)
        {
            switch (part)
            {
                case InputText t: text.Append(t.Text); break;
                case InputTag tag: text.Append('@').Append(tag.Text); break;
            }
        }
        return text.ToString().Trim();
    }

    /// <summary>@-mentions as agent context; a task id comes from the tag's data (<c>task_id</c>) or its id (<c>task_7</c>).</summary>
    public static List<AgentMention> Mentions(IEnumerable<UserContent> content)
    {
        var mentions = new List<AgentMention>();
        foreach (var tag in content.OfType<InputTag>())
        {
            mentions.Add(new AgentMention(tag.Id, tag.Text, TaskIdOf(tag)));
        }
        return mentions;
    }

    public static AgentTurnInput ForAgent(UserMessageItem message)
    {
        var text = new StringBuilder();
        if (!string.IsNullOrWhiteSpace(message.QuotedText))
        {
            var quoted = message.QuotedText.Trim();
            text.Append("> ").Append(quoted.Length > MaxQuotedLength ? TextElements.Truncate(quoted, MaxQuotedLength) + "…" : quoted).Append("\n\n");
        }
        text.Append(PlainText(message.Content));
        if (message.Attachments.Count > 0)
        {
            text.Append("\n\n[Attached: ")
                .AppendJoin(", ", message.Attachments.Select(a => $"{a.Name} ({a.MimeType})"))
                .Append(']');
        }
        // The agent resolves tasks by id; a tag that names no task stays plain "@text".
        var mentions = Mentions(message.Content).Where(m => m.TaskId is > 0).ToList();
        return new AgentTurnInput(text.ToString(), mentions.Count == 0 ? null : mentions);
    }

    /// <summary>Stored items (oldest first) as the agent's history; widgets and unknown kinds are left out.</summary>
    public static List<AgentHistoryEntry> History(IReadOnlyList<ThreadItem> items)
    {
        var history = new List<AgentHistoryEntry>(items.Count);
        foreach (var item in items)
        {
            switch (item.Type)
            {
                case ItemTypes.UserMessage when !string.IsNullOrEmpty(item.Text):
                    history.Add(new AgentHistoryEntry(AgentHistoryEntry.User, item.Text));
                    break;
                case ItemTypes.AssistantMessage when !string.IsNullOrEmpty(item.Text):
                    history.Add(new AgentHistoryEntry(AgentHistoryEntry.Assistant, item.Text));
                    break;
                case ItemTypes.SdkHiddenContext when !string.IsNullOrEmpty(item.Text):
                    history.Add(new AgentHistoryEntry(AgentHistoryEntry.Note, item.Text));
                    break;
                case ItemTypes.StructuredInput when !string.IsNullOrEmpty(item.Text):
                    history.Add(new AgentHistoryEntry(AgentHistoryEntry.User, item.Text));
                    break;
                case ItemTypes.HiddenContext:
                    if (Parse(item) is HiddenContextItem hidden) history.Add(FromHidden(hidden));
                    break;
                case ItemTypes.ClientToolCall:
                    if (Parse(item) is ClientToolCallItem { Status: "completed" } call)
                    {
                        history.Add(new AgentHistoryEntry(AgentHistoryEntry.Tool, CallId: call.CallId, Name: call.Name, Arguments: call.Arguments,
                            Result: call.Output));
                    }
                    break;
            }
        }
        return history;
    }

    public static ChatKitItem? Parse(ThreadItem item)
    {
        try
        {
            return JsonSerializer.Deserialize(item.Data, ChatKitJson.Context.ChatKitItem);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    static AgentHistoryEntry FromHidden(HiddenContextItem hidden)
    {
        try
        {
            using var document = hidden.Content.Parse();
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("kind", out var kind) && kind.ValueEquals(ToolRecord.ToolCallKind)
                && JsonSerializer.Deserialize(document.RootElement, ChatKitJson.Context.ToolRecord) is { } tool)
            {
                return new AgentHistoryEntry(AgentHistoryEntry.Tool, CallId: tool.CallId, Name: tool.Name, Arguments: tool.Arguments, Result: tool.Result);
            }
            var content = document.RootElement.ValueKind == JsonValueKind.String ? document.RootElement.GetString() : hidden.Content.ToString();
            return new AgentHistoryEntry(AgentHistoryEntry.Note, content);
        }
        catch (JsonException)
        {
            return new AgentHistoryEntry(AgentHistoryEntry.Note, hidden.Content.ToString());
        }
    }

    static long? TaskIdOf(InputTag tag)
    {
        try
        {
            using var document = tag.Data.Parse();
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("task_id", out var id))
            {
                if (id.ValueKind == JsonValueKind.Number && id.TryGetInt64(out var number)) return number;
                if (id.ValueKind == JsonValueKind.String && long.TryParse(id.GetString(), out var parsed)) return parsed;
            }
        }
        catch (JsonException)
        {
        }
        return tag.Id.StartsWith("task_", StringComparison.Ordinal) && long.TryParse(tag.Id.AsSpan(5), out var fromId) ? fromId : null;
    }
}
