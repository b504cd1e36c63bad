using ChatKit.ApiService.Attachments;
using ChatKit.ApiService.Conversations;
using ChatKit.ApiService.ChatKit.Protocol;

namespace ChatKit.ApiService.Turns;

/// <summary>The items a turn stores: each ChatKit item becomes a <c>thread_items</c> row with its JSON, type and text.</summary>
static class StoredItems
{
    public static ThreadItem ToNew(ChatKitItem item, string? text) => new()
    {
        Id = item.Id, ThreadId = item.ThreadId, Type = ChatKitJson.TypeOf(item), CreatedAt = item.CreatedAt, Text = text, Data = ChatKitJson.Serialize(item),
    };

    public static UserMessageItem UserMessage(string threadId, DateTime now, UserMessageInput input, List<Attachment> attached) => new()
    {
        Id = Ids.Message(),
        ThreadId = threadId,
        CreatedAt = now,
        Content = input.Content,
        Attachments = attached,
        QuotedText = string.IsNullOrEmpty(input.QuotedText) ? null : input.QuotedText,
        InferenceOptions = input.InferenceOptions ?? new InferenceOptions(),
    };

    public static ThreadItem AssistantMessage(string threadId, string id, DateTime createdAt, string text) => ToNew(new AssistantMessageItem
    {
        Id = id, ThreadId = threadId, CreatedAt = createdAt, Content = [new OutputText { Text = text }],
    }, text);

    /// <summary>A tool call and its result, kept hidden for the model's next turns.</summary>
    public static ThreadItem ToolCall(string threadId, DateTime now, ToolRecord record) => ToNew(new HiddenContextItem
    {
        Id = Ids.HiddenContext(), ThreadId = threadId, CreatedAt = now, Content = ChatKitJson.ToRaw(record, ChatKitJson.Context.ToolRecord),
    }, null);
}
