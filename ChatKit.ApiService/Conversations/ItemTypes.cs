namespace ChatKit.ApiService.Conversations;

/// <summary>The <c>type</c> values of ChatKit thread items (docs/chatkit-protocol.md a6).</summary>
public static class ItemTypes
{
    public const string UserMessage = "user_message";
    public const string AssistantMessage = "assistant_message";
    public const string ClientToolCall = "client_tool_call";
    public const string Widget = "widget";
    public const string StructuredInput = "structured_input";
    public const string HiddenContext = "hidden_context_item";
    public const string SdkHiddenContext = "sdk_hidden_context";
}
