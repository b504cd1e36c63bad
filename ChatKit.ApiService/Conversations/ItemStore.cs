using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using static ChatKit.ApiService.Conversations.Sql;

namespace ChatKit.ApiService.Conversations;

/// <summary>
/// Reading a thread's items page by page (items.list, the REST messages: benchmarked, hand-written SQL read by column
/// name) and their feedback (EF Core). Pages are keyset-based on (thread_id, seq) and bounded in bytes
/// (<see cref="ConversationOptions.MaxPageBytes"/>), so a page costs the same however long the thread is.
/// </summary>
public sealed class ItemStore(IDbContextFactory<ConversationsDbContext> contexts, NpgsqlDataSource dataSource, IOptions<ConversationOptions> options)
{
    internal const string VisibleItems = "type NOT IN ('hidden_context_item', 'sdk_hidden_context')";

    // $1 thread, $2 owner, $3 limit + 1, $4 bytes, $5 the item to page after.
    internal static readonly string FirstPage = PageOfItems("ASC", null);

    static readonly string[] ItemPages =
    [
        PageOfItems("ASC", null), PageOfItems("ASC", ">"), PageOfItems("DESC", null), PageOfItems("DESC", "<"),
    ];

    /// <summary>items.list: visible items by position, keyset after an item id; null when the thread is not the owner's.</summary>
    public async Task<Page<ThreadItem>?> ListItemsAsync(string owner, string threadId, int limit, SortOrder order, string? after,
        CancellationToken ct)
    {
        var sql = ItemPages[(order == SortOrder.Desc ? 2 : 0) + (after is null ? 0 : 1)];
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(BatchCommand("SELECT 1 FROM threads WHERE id = $1 AND owner_id = $2", threadId, owner));
        batch.BatchCommands.Add(after is null
            ? BatchCommand(sql, threadId, owner, limit + 1, options.Value.MaxPageBytes)
            : BatchCommand(sql, threadId, owner, limit + 1, options.Value.MaxPageBytes, after));
        await using var reader = await batch.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        await reader.NextResultAsync(ct);
        return await ReadPageAsync(reader, "data", limit, ct);
    }

    /// <summary>The REST view of a thread: user and assistant messages, oldest first, after a message id.</summary>
    public async Task<(ChatThread Thread, Page<ThreadItem> Messages)?> GetThreadMessagesAsync(string owner, string threadId, int limit,
        string? after, CancellationToken ct)
    {
        // Bounded in bytes like a page of items: the text column is what this view reads. $1 thread, $2 owner, $3 bytes,
        // $4 limit + 1, $5 the message to page after.
        var sql = "SELECT id, type, created_at, seq, CASE WHEN n = 1 OR bytes <= $3 THEN coalesce(text, '') END AS text FROM (" +
                  "SELECT id, type, created_at, seq, text, row_number() OVER w AS n, sum(coalesce(octet_length(text), 0)) OVER w AS bytes " +
                  "FROM thread_items WHERE thread_id = $1 AND owner_id = $2 AND type IN ('user_message', 'assistant_message')" +
                  (after is null ? "" : " AND seq > (SELECT seq FROM thread_items WHERE id = $5 AND thread_id = $1)") +
                  " WINDOW w AS (ORDER BY seq) ORDER BY seq LIMIT $4) page ORDER BY seq";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(BatchCommand($"SELECT {ChatThread.Columns} FROM threads WHERE id = $1 AND owner_id = $2", threadId, owner));
        batch.BatchCommands.Add(after is null
            ? BatchCommand(sql, threadId, owner, options.Value.MaxPageBytes, limit + 1)
            : BatchCommand(sql, threadId, owner, options.Value.MaxPageBytes, limit + 1, after));
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var thread = (await reader.ReadAllAsync(ChatThread.Read, ct)).FirstOrDefault();
        if (thread is null) return null;
        await reader.NextResultAsync(ct);
        return (thread, await ReadPageAsync(reader, "text", limit, ct));
    }

    /// <summary>Stores feedback on items of the owner's thread; false when the thread is not the owner's.</summary>
    public async Task<bool> SetFeedbackAsync(string owner, string threadId, IReadOnlyCollection<string> itemIds, string kind,
        CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var updated = await db.Items.Where(i => i.ThreadId == threadId && i.OwnerId == owner && itemIds.Contains(i.Id))
            .ExecuteUpdateAsync(set => set.SetProperty(i => i.Feedback, kind), ct);
        return updated > 0 || await db.Threads.AnyAsync(t => t.Id == threadId && t.OwnerId == owner, ct);
    }

    /// <summary>
    /// A page of visible items: (id, type, created_at, seq, data), where data is null from the first item on that would
    /// take the page over $4 bytes (the first item always comes).
    /// </summary>
    static string PageOfItems(string dir, string? afterCmp) =>
        "SELECT id, type, created_at, seq, CASE WHEN n = 1 OR bytes <= $4 THEN data END AS data FROM (" +
        "SELECT id, type, created_at, seq, data, row_number() OVER w AS n, sum(octet_length(data::text)) OVER w AS bytes " +
        $"FROM thread_items WHERE thread_id = $1 AND owner_id = $2 AND {VisibleItems}" +
        (afterCmp is null ? "" : $" AND seq {afterCmp} (SELECT seq FROM thread_items WHERE id = $5 AND thread_id = $1)") +
        $" WINDOW w AS (ORDER BY seq {dir}) ORDER BY seq {dir} LIMIT $3) page ORDER BY seq {dir}";

    /// <summary>
    /// Reads a page of items: it ends early, with more to come, at the first row whose <paramref name="budgeted"/>
    /// column is null (the item that would take the page over its byte budget).
    /// </summary>
    internal static async Task<Page<ThreadItem>> ReadPageAsync(NpgsqlDataReader reader, string budgeted, int limit, CancellationToken ct)
    {
        var items = new List<ThreadItem>();
        var read = ThreadItem.Read(reader);
        var cut = reader.GetOrdinal(budgeted);
        while (await reader.ReadAsync(ct))
        {
            if (reader.IsDBNull(cut)) return new Page<ThreadItem>(items, true, items[^1].Id);
            items.Add(read());
        }
        return Page<ThreadItem>.From(items, limit, i => i.Id);
    }
}
