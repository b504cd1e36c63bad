using ChatKit.ApiService.Infrastructure;
using ChatKit.ApiService.Turns;

namespace ChatKit.ApiService.ChatKit;

// The answers of the non-streaming requests that are not a thread or an item.

public sealed record ThreadsPage(IReadOnlyList<ChatKitThread> Data, bool HasMore, string? After = null);

public sealed record UpdatedItemResponse(RawJson UpdatedItem);
