using System.Text.Json;
using ChatKit.Agent.Contracts;
using ChatKit.ApiService.Conversations;

namespace ChatKit.ApiService.ChatKit.Protocol;

/// <summary>Stored threads and items as ChatKit wire objects.</summary>
public static class ThreadViews
{
    /// <summary>The active status as PostgreSQL writes jsonb back.</summary>
    const string ActiveAsJsonb = """{"type": "active"}""";

    static readonly RawJson Active = RawJson.FromString(ChatThread.ActiveStatus);

    public static ChatKitThread ToWire(ChatThread thread, ItemsPage? items = null) => new()
    {
        Id = thread.Id,
        Title = thread.Title,
        CreatedAt = thread.CreatedAt,
        Status = Status(thread.StatusJson),
        Items = items ?? ItemsPage.Empty,
    };

    public static ItemsPage ToWire(Page<ThreadItem> page) => new(page.Data.Select(i => new RawJson(i.Data)).ToList(), page.HasMore, page.After);

    /// <summary>The status column is jsonb (PostgreSQL re-spaces it); written compactly, the common case without parsing.</summary>
    static RawJson Status(string json)
    {
        if (json is ChatThread.ActiveStatus or ActiveAsJsonb) return Active;
        using var document = JsonDocument.Parse(json);
        return RawJson.From(document.RootElement);
    }
}
