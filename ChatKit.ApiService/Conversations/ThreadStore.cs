using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using static ChatKit.ApiService.Conversations.Sql;

namespace ChatKit.ApiService.Conversations;

/// <summary>
/// The owner's threads. threads.get_by_id and threads.list are benchmarked: hand-written SQL, one round trip each,
/// keyset paging on indexed columns, read by column name. The rest (create an empty thread, rename, delete, the REST
/// list by activity with search) is EF Core with the owner in every <c>Where</c>.
/// </summary>
public sealed partial class ThreadStore(IDbContextFactory<ConversationsDbContext> contexts, NpgsqlDataSource dataSource, IOptions<ConversationOptions> options)
{
    // $1 owner, $2 limit + 1, $3 the thread to page after.
    static readonly string[] ThreadPages = [ThreadPage("ASC", null), ThreadPage("ASC", ">"), ThreadPage("DESC", null), ThreadPage("DESC", "<")];

    /// <summary>A thread with the first <paramref name="limit"/> visible items, oldest first (threads.get_by_id).</summary>
    public async Task<(ChatThread Thread, Page<ThreadItem> Items)?> GetThreadWithItemsAsync(string owner, string threadId, int limit,
        CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(BatchCommand($"SELECT {ChatThread.Columns} FROM threads WHERE id = $1 AND owner_id = $2", threadId, owner));
        batch.BatchCommands.Add(BatchCommand(ItemStore.FirstPage, threadId, owner, limit + 1, options.Value.MaxPageBytes));
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var thread = (await reader.ReadAllAsync(ChatThread.Read, ct)).FirstOrDefault();
        if (thread is null) return null;
        await reader.NextResultAsync(ct);
        return (thread, await ItemStore.ReadPageAsync(reader, "data", limit, ct));
    }

    /// <summary>threads.list: by creation time, keyset after a thread id.</summary>
    public async Task<Page<ChatThread>> ListThreadsAsync(string owner, int limit, SortOrder order, string? after, CancellationToken ct)
    {
        var sql = ThreadPages[(order == SortOrder.Desc ? 2 : 0) + (after is null ? 0 : 1)];
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = after is null ? Command(connection, sql, owner, limit + 1) : Command(connection, sql, owner, limit + 1, after);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return Page<ChatThread>.From(await reader.ReadAllAsync(ChatThread.Read, ct), limit, t => t.Id);
    }

    /// <summary>The REST list: newest activity first, an opaque cursor, optional search over titles and message text.</summary>
    public async Task<Page<ChatThread>> ListThreadsByActivityAsync(string owner, int limit, ActivityCursor? after, string? query,
        CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var threads = db.Threads.AsNoTracking().Where(t => t.OwnerId == owner);
        if (after is { } cursor)
        {
            threads = threads.Where(t => EF.Functions.LessThan(ValueTuple.Create(t.UpdatedAt, t.Id), ValueTuple.Create(cursor.UpdatedAt, cursor.ThreadId)));
        }
        if (ToPrefixQuery(query) is { } tsQuery)
        {
            threads = threads.Where(t => EF.Property<NpgsqlTsVector>(t, "Search").Matches(EF.Functions.ToTsQuery("simple", tsQuery))
                || db.Items.Where(i => i.OwnerId == owner && EF.Property<NpgsqlTsVector>(i, "Search").Matches(EF.Functions.ToTsQuery("simple", tsQuery)))
                    .Select(i => i.ThreadId).Contains(t.Id));
        }
        var rows = await threads.OrderByDescending(t => t.UpdatedAt).ThenByDescending(t => t.Id).Take(limit + 1)
            .Select(t => new ChatThread
            {
                Id = t.Id, OwnerId = t.OwnerId, Title = t.Title, StatusJson = t.StatusJson, CreatedAt = t.CreatedAt, UpdatedAt = t.UpdatedAt,
                MessageCount = t.MessageCount,
            })
            .ToListAsync(ct);
        var hasMore = rows.Count > limit;
        if (hasMore) rows.RemoveAt(limit);
        return new Page<ChatThread>(rows, hasMore, hasMore ? new ActivityCursor(rows[^1].UpdatedAt, rows[^1].Id).Encode() : null);
    }

    /// <summary>An empty thread (REST <c>POST /threads</c>).</summary>
    public async Task<ChatThread> CreateThreadAsync(string owner, string? title, DateTime now, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var thread = new ChatThread { Id = Ids.Thread(), OwnerId = owner, Title = PlainText(title), CreatedAt = now, UpdatedAt = now };
        db.Threads.Add(thread);
        await db.SaveChangesAsync(ct);
        return thread;
    }

    public async Task<ChatThread?> RenameThreadAsync(string owner, string threadId, string title, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var mine = db.Threads.Where(t => t.Id == threadId && t.OwnerId == owner);
        if (await mine.ExecuteUpdateAsync(set => set.SetProperty(t => t.Title, PlainText(title)), ct) == 0) return null;
        return await mine.AsNoTracking().FirstOrDefaultAsync(ct);
    }

    /// <summary>
    /// Deletes the thread and its items (cascade); false when not found. Once the thread is gone no message can stamp an
    /// attachment with it (the item insert fails), so its attachments can go next (<c>AttachmentService.DeleteThreadAttachmentsAsync</c>).
    /// </summary>
    public async Task<bool> DeleteThreadAsync(string owner, string threadId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Threads.Where(t => t.Id == threadId && t.OwnerId == owner).ExecuteDeleteAsync(ct) > 0;
    }

    static string ThreadPage(string dir, string? afterCmp) =>
        $"SELECT {ChatThread.Columns} FROM threads WHERE owner_id = $1" +
        (afterCmp is null ? "" : $" AND (created_at, id) {afterCmp} (SELECT created_at, id FROM threads WHERE id = $3 AND owner_id = $1)") +
        $" ORDER BY created_at {dir}, id {dir} LIMIT $2";

    /// <summary>User text to a prefix tsquery ("buy mil" → 'buy':* &amp; 'mil':*); null when it has no words.</summary>
    public static string? ToPrefixQuery(string? query)
    {
        if (string.IsNullOrWhiteSpace(query)) return null;
        var words = WordPattern().Matches(query.ToLowerInvariant()).Select(m => m.Value).Take(8).ToList();
        return words.Count == 0 ? null : string.Join(" & ", words.Select(w => $"'{w}':*"));
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex WordPattern();
}
