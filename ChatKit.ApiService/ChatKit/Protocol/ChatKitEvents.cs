using System.Text.Json.Serialization;
using ChatKit.Agent.Contracts;

namespace ChatKit.ApiService.ChatKit.Protocol;

/// <summary>The stream events this server sends (docs/chatkit-protocol.md a3; the others are not modelled). Items travel as the raw JSON that is also stored.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(ThreadCreatedEvent), "thread.created")]
[JsonDerivedType(typeof(ThreadUpdatedEvent), "thread.updated")]
[JsonDerivedType(typeof(ThreadItemAddedEvent), "thread.item.added")]
[JsonDerivedType(typeof(ThreadItemUpdatedEvent), "thread.item.updated")]
[JsonDerivedType(typeof(ThreadItemDoneEvent), "thread.item.done")]
[JsonDerivedType(typeof(ThreadItemReplacedEvent), "thread.item.replaced")]
[JsonDerivedType(typeof(StreamOptionsEvent), "stream_options")]
[JsonDerivedType(typeof(ProgressUpdateEvent), "progress_update")]
[JsonDerivedType(typeof(ErrorEvent), "error")]
public abstract record ChatKitEvent;

public sealed record ThreadCreatedEvent(ChatKitThread Thread) : ChatKitEvent;

public sealed record ThreadUpdatedEvent(ChatKitThread Thread) : ChatKitEvent;

public sealed record ThreadItemAddedEvent(RawJson Item) : ChatKitEvent;

public sealed record ThreadItemUpdatedEvent(string ItemId, ItemUpdate Update) : ChatKitEvent;

public sealed record ThreadItemDoneEvent(RawJson Item) : ChatKitEvent;

public sealed record ThreadItemReplacedEvent(RawJson Item) : ChatKitEvent;

public sealed record StreamOptionsEvent(StreamOptions StreamOptions) : ChatKitEvent
{
    /// <summary>Sent once a turn's input is saved: from here the client may stop the answer.</summary>
    public static readonly StreamOptionsEvent AllowCancel = new(new StreamOptions(AllowCancel: true));
}

public sealed record StreamOptions(bool AllowCancel);

public sealed record ProgressUpdateEvent(string? Icon, string Text) : ChatKitEvent;

/// <summary><c>code</c> is open-ended: <c>stream.error</c> for unexpected failures, <c>custom</c> with a message the UI shows.</summary>
public sealed record ErrorEvent(string Code, string? Message, bool AllowRetry) : ChatKitEvent
{
    public const string StreamError = "stream.error";
    public const string Custom = "custom";
}

[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(ContentPartAdded), "assistant_message.content_part.added")]
[JsonDerivedType(typeof(ContentPartTextDelta), "assistant_message.content_part.text_delta")]
[JsonDerivedType(typeof(ContentPartDone), "assistant_message.content_part.done")]
public abstract record ItemUpdate;

public sealed record ContentPartAdded(int ContentIndex, OutputText Content) : ItemUpdate;

public sealed record ContentPartTextDelta(int ContentIndex, string Delta) : ItemUpdate;

public sealed record ContentPartDone(int ContentIndex, OutputText Content) : ItemUpdate;
