using ChatKit.Agent.Contracts;

namespace ChatKit.ApiService.ChatKit.Protocol;

/// <summary>What a hidden_context_item of this server holds: one agent tool call and its result.</summary>
public sealed record ToolRecord(string CallId, string Name, RawJson Arguments, RawJson? Result)
{
    public const string ToolCallKind = "tool_call";
    public string Kind => ToolCallKind;
}
