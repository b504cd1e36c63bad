using ChatKit.Agent.Contracts;

namespace ChatKit.ApiService.ChatKit.Protocol;

// The answers of the non-streaming requests that are not a thread or an item.

public sealed record ThreadsPage(IReadOnlyList<ChatKitThread> Data, bool HasMore, string? After = null);

public sealed record UpdatedItemResponse(RawJson UpdatedItem);
