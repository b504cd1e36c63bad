using System.Globalization;
using System.Text.RegularExpressions;
using System.Text;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace ChatKit.ApiService.Conversations;

public sealed record ThreadRecord(string Id, string? Title, string StatusJson, DateTime CreatedAt, DateTime UpdatedAt, int MessageCount);

public sealed record StoredItem(string Id, string Type, DateTime CreatedAt, long Seq, string? Text, byte[] Data);

/// <summary>An item to insert; <paramref name="Text"/> is the plain message text (search, history, REST content).</summary>
public sealed record NewItem(string Id, string Type, DateTime CreatedAt, string? Text, byte[] Data)
{
    public bool IsMessage => Type is ItemTypes.UserMessage or ItemTypes.AssistantMessage;
}

public sealed record Page<T>(IReadOnlyList<T> Data, bool HasMore, string? After);

public sealed record AttachmentRecord(string Id, string OwnerId, string? ThreadId, string Name, string MimeType, long Size,
    bool Uploaded, string AccessKey, DateTime CreatedAt);

public enum SortOrder { Asc, Desc }

public enum UploadResult { Uploaded, GoneOrUploaded, OverQuota }

/// <summary>
/// The conversation store (threads, items, attachment metadata) over raw Npgsql: every statement filters by the owner
/// from the token, statements that belong together go in one <see cref="NpgsqlBatch"/> (one round trip), and paging
/// is keyset-based on indexed columns, so a page costs the same however many threads or items a user has.
/// EF Core owns the schema (migrations) only; the write path stays free of change tracking.
/// </summary>
public sealed partial class ConversationStore(NpgsqlDataSource dataSource, ThreadLocks locks, IOptions<ConversationOptions> options,
    ILogger<ConversationStore> logger)
{
    const string ThreadColumns = "id, title, status::text, created_at, updated_at, message_count";
    const string VisibleItems = "type NOT IN ('hidden_context_item', 'sdk_hidden_context')";
    const string ActiveStatus = """{"type":"active"}""";

    // ---- threads -------------------------------------------------------------------------------------------

    /// <summary>A thread with the first <paramref name="limit"/> visible items, oldest first (threads.get_by_id).</summary>
    public async Task<(ThreadRecord Thread, Page<StoredItem> Items)?> GetThreadWithItemsAsync(string owner, string threadId, int limit,
        CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(BatchCommand($"SELECT {ThreadColumns} FROM threads WHERE id = $1 AND owner_id = $2", threadId, owner));
        batch.BatchCommands.Add(BatchCommand(PageOfItems("ASC", $"thread_id = $1 AND owner_id = $2 AND {VisibleItems}", "$4", "$3"),
            threadId, owner, limit + 1, options.Value.MaxPageBytes));
        await using var reader = await batch.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        var thread = ReadThread(reader);
        await reader.NextResultAsync(ct);
        return (thread, await ReadPageAsync(reader, limit, ct));
    }

    /// <summary>threads.list: by creation time, keyset after a thread id.</summary>
    public async Task<Page<ThreadRecord>> ListThreadsAsync(string owner, int limit, SortOrder order, string? after, CancellationToken ct)
    {
        var (cmp, dir) = order == SortOrder.Desc ? ("<", "DESC") : (">", "ASC");
        var sql = new SqlBuilder($"SELECT {ThreadColumns} FROM threads WHERE owner_id = $1", owner);
        var limitParam = sql.Add(limit + 1);
        if (after is not null)
        {
            sql.Append($" AND (created_at, id) {cmp} (SELECT created_at, id FROM threads WHERE id = {sql.Add(after)} AND owner_id = $1)");
        }
        sql.Append($" ORDER BY created_at {dir}, id {dir} LIMIT {limitParam}");
        var threads = await QueryThreadsAsync(sql, ct);
        return ToPage(threads, limit, t => t.Id);
    }

    /// <summary>The REST list: newest activity first, an opaque cursor, optional search over titles and message text.</summary>
    public async Task<Page<ThreadRecord>> ListThreadsByActivityAsync(string owner, int limit, ActivityCursor? after, string? query,
        CancellationToken ct)
    {
        var sql = new SqlBuilder($"SELECT {ThreadColumns} FROM threads t WHERE t.owner_id = $1", owner);
        var limitParam = sql.Add(limit + 1);
        if (after is { } cursor)
        {
            sql.Append($" AND (t.updated_at, t.id) < ({sql.Add(cursor.UpdatedAt)}, {sql.Add(cursor.ThreadId)})");
        }
        if (ToPrefixQuery(query) is { } tsQuery)
        {
            var q = sql.Add(tsQuery);
            sql.Append($" AND (t.search @@ to_tsquery('simple', {q}) OR t.id IN (SELECT i.thread_id FROM thread_items i " +
                       $"WHERE i.owner_id = $1 AND i.search @@ to_tsquery('simple', {q})))");
        }
        sql.Append($" ORDER BY t.updated_at DESC, t.id DESC LIMIT {limitParam}");
        var threads = await QueryThreadsAsync(sql, ct);
        var hasMore = threads.Count > limit;
        if (hasMore) threads.RemoveAt(limit);
        return new Page<ThreadRecord>(threads, hasMore, hasMore ? new ActivityCursor(threads[^1].UpdatedAt, threads[^1].Id).Encode() : null);
    }

    /// <summary>An empty thread (REST <c>POST /threads</c>).</summary>
    public async Task<ThreadRecord> CreateThreadAsync(string owner, string? title, DateTime now, CancellationToken ct)
    {
        var thread = new ThreadRecord(Ids.Thread(), title, ActiveStatus, now, now, 0);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = Command(connection,
            """INSERT INTO threads (id, owner_id, title, status, metadata, created_at, updated_at, message_count) VALUES ($1, $2, $3, '{"type":"active"}', '{}', $4, $4, 0)""",
            thread.Id, owner, title, now);
        await command.ExecuteNonQueryAsync(ct);
        return thread;
    }

    /// <summary>
    /// The hot path of a new conversation: the thread (its first turn's lease taken), its first items and the
    /// attachment stamps in one round trip. A follow-up sent while this turn still runs waits for it.
    /// </summary>
    public async Task<ThreadTurn> CreateThreadWithItemsAsync(string owner, ThreadRecord thread, IReadOnlyList<NewItem> items,
        IReadOnlyCollection<string> attachmentIds, CancellationToken ct)
    {
        var settings = options.Value;
        // A new id: nobody else waits for it yet, so the in-process lock is free.
        var local = await locks.AcquireAsync(thread.Id, settings.TurnLockTimeout, ct);
        var lease = Guid.NewGuid();
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await using var batch = new NpgsqlBatch(connection);
            batch.BatchCommands.Add(BatchCommand(
                """INSERT INTO threads (id, owner_id, title, status, metadata, created_at, updated_at, message_count, turn_lease, turn_lease_expires_at) VALUES ($1, $2, $3, '{"type":"active"}', '{}', $4, $5, $6, $7, now() + $8)""",
                thread.Id, owner, thread.Title, thread.CreatedAt, thread.UpdatedAt, thread.MessageCount, lease, settings.TurnLease));
            AddInserts(batch, owner, thread.Id, items);
            if (attachmentIds.Count > 0)
            {
                batch.BatchCommands.Add(BatchCommand("UPDATE attachments SET thread_id = $1 WHERE owner_id = $2 AND id = ANY($3)",
                    thread.Id, owner, attachmentIds.ToArray()));
            }
            await batch.ExecuteNonQueryAsync(ct);
        }
        catch
        {
            local.Dispose();
            throw;
        }
        return new ThreadTurn(this, thread, lease, local, settings.TurnLease, logger);
    }

    public async Task<ThreadRecord?> RenameThreadAsync(string owner, string threadId, string title, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = Command(connection,
            $"UPDATE threads SET title = $3 WHERE id = $1 AND owner_id = $2 RETURNING {ThreadColumns}", threadId, owner, title);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadThread(reader) : null;
    }

    /// <summary>Deletes the thread, its items (cascade) and its attachment rows; returns the attachment ids, or null when not found.</summary>
    public async Task<IReadOnlyList<string>?> DeleteThreadAsync(string owner, string threadId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(BatchCommand("DELETE FROM threads WHERE id = $1 AND owner_id = $2 RETURNING id", threadId, owner));
        batch.BatchCommands.Add(BatchCommand("DELETE FROM attachments WHERE thread_id = $1 AND owner_id = $2 RETURNING id", threadId, owner));
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var found = await reader.ReadAsync(ct);
        await reader.NextResultAsync(ct);
        var attachments = new List<string>();
        while (await reader.ReadAsync(ct)) attachments.Add(reader.GetString(0));
        return found ? attachments : null;
    }

    // ---- turns ---------------------------------------------------------------------------------------------

    /// <summary>
    /// Starts a turn on an existing thread of the owner: waits for earlier turns on it (in this replica in memory,
    /// across replicas by polling the thread's lease), takes the lease and reads the thread as it is now. Nothing is
    /// held in the database while waiting or while the turn runs. Null when the thread does not exist or belongs to
    /// someone else; <see cref="ThreadBusyException"/> when an earlier turn outlasts <see cref="ConversationOptions.TurnLockTimeout"/>.
    /// </summary>
    public async Task<ThreadTurn?> BeginTurnAsync(string owner, string threadId, CancellationToken ct)
    {
        var settings = options.Value;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var local = await locks.AcquireAsync(threadId, settings.TurnLockTimeout, ct);
        try
        {
            var lease = Guid.NewGuid();
            var delay = TimeSpan.FromMilliseconds(20);
            while (true)
            {
                var (thread, exists) = await TryLeaseAsync(owner, threadId, lease, settings.TurnLease, ct);
                if (thread is not null) return new ThreadTurn(this, thread, lease, local, settings.TurnLease, logger);
                if (!exists)
                {
                    local.Dispose();
                    return null;
                }
                // Another replica's turn holds the thread: poll with backoff until it ends or its lease runs out.
                if (waited.Elapsed + delay > settings.TurnLockTimeout) throw new ThreadBusyException();
                await Task.Delay(delay, ct);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxLeasePollDelay.Ticks));
            }
        }
        catch
        {
            local.Dispose();
            throw;
        }
    }

    static readonly TimeSpan MaxLeasePollDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>Takes the thread's lease when it is free or expired, in one statement; says whether the thread exists.</summary>
    async Task<(ThreadRecord? Thread, bool Exists)> TryLeaseAsync(string owner, string threadId, Guid lease, TimeSpan duration,
        CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(BatchCommand(
            $"UPDATE threads SET turn_lease = $3, turn_lease_expires_at = now() + $4 WHERE id = $1 AND owner_id = $2 " +
            $"AND (turn_lease_expires_at IS NULL OR turn_lease_expires_at < now()) RETURNING {ThreadColumns}",
            threadId, owner, lease, duration));
        batch.BatchCommands.Add(BatchCommand("SELECT 1 FROM threads WHERE id = $1 AND owner_id = $2", threadId, owner));
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var thread = await reader.ReadAsync(ct) ? ReadThread(reader) : null;
        await reader.NextResultAsync(ct);
        return (thread, await reader.ReadAsync(ct));
    }

    /// <summary>Extends a held lease; false when it is no longer this turn's (expired and taken, or the thread deleted).</summary>
    internal async Task<bool> RenewLeaseAsync(string threadId, Guid lease, TimeSpan duration, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = Command(connection,
            "UPDATE threads SET turn_lease_expires_at = now() + $3 WHERE id = $1 AND turn_lease = $2", threadId, lease, duration);
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    internal async Task ReleaseLeaseAsync(string threadId, Guid lease)
    {
        await using var connection = await dataSource.OpenConnectionAsync(CancellationToken.None);
        await using var command = Command(connection,
            "UPDATE threads SET turn_lease = NULL, turn_lease_expires_at = NULL WHERE id = $1 AND turn_lease = $2", threadId, lease);
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    /// <summary>
    /// Adds a user message to a thread inside a turn, in one round trip: reads the history before it, inserts it,
    /// stamps its attachments, bumps the thread (and sets its title when given).
    /// </summary>
    public async Task<IReadOnlyList<StoredItem>> AddUserMessageAsync(ThreadTurn turn, string owner, NewItem message, string? title,
        IReadOnlyCollection<string> attachmentIds, int historyLimit, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(HistoryCommand(turn.ThreadId, owner, beforeSeq: null, historyLimit, options.Value.MaxHistoryBytes));
        AddInserts(batch, owner, turn.ThreadId, [message]);
        batch.BatchCommands.Add(BatchCommand(
            "UPDATE threads SET updated_at = $2, message_count = message_count + 1, title = coalesce($3, title) WHERE id = $1",
            turn.ThreadId, message.CreatedAt, title));
        if (attachmentIds.Count > 0)
        {
            batch.BatchCommands.Add(BatchCommand("UPDATE attachments SET thread_id = $1 WHERE owner_id = $2 AND id = ANY($3)",
                turn.ThreadId, owner, attachmentIds.ToArray()));
        }
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var history = await ReadItemsAsync(reader, withText: true, ct);
        history.Reverse();
        return history;
    }

    /// <summary>History for the model: the newest items before <paramref name="beforeSeq"/> (all when null), oldest first.</summary>
    public async Task<IReadOnlyList<StoredItem>> LoadHistoryAsync(ThreadTurn turn, string owner, long? beforeSeq, int limit,
        CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(HistoryCommand(turn.ThreadId, owner, beforeSeq, limit, options.Value.MaxHistoryBytes));
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var history = await ReadItemsAsync(reader, withText: true, ct);
        history.Reverse();
        return history;
    }

    /// <summary>
    /// Appends items produced by a turn and bumps the thread's activity time and message count. With
    /// <paramref name="endsTurn"/>, the same statement releases the turn's lease (the turn writes nothing after it),
    /// which saves the turn a round trip.
    /// </summary>
    public async Task AppendItemsAsync(ThreadTurn turn, string owner, IReadOnlyList<NewItem> items, CancellationToken ct,
        bool endsTurn = false)
    {
        if (items.Count == 0) return;
        var threadId = turn.ThreadId;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        AddInserts(batch, owner, threadId, items);
        if (endsTurn)
        {
            turn.MarkReleased();
            batch.BatchCommands.Add(BatchCommand(
                "UPDATE threads SET updated_at = greatest(updated_at, $2), message_count = message_count + $3, " +
                "turn_lease = CASE WHEN turn_lease = $5 THEN NULL ELSE turn_lease END, " +
                "turn_lease_expires_at = CASE WHEN turn_lease = $5 THEN NULL ELSE turn_lease_expires_at END WHERE id = $1 AND owner_id = $4",
                threadId, items[^1].CreatedAt, items.Count(i => i.IsMessage), owner, turn.Lease));
        }
        else
        {
            batch.BatchCommands.Add(BatchCommand(
                "UPDATE threads SET updated_at = greatest(updated_at, $2), message_count = message_count + $3 WHERE id = $1 AND owner_id = $4",
                threadId, items[^1].CreatedAt, items.Count(i => i.IsMessage), owner));
        }
        try
        {
            await batch.ExecuteNonQueryAsync(ct);
        }
        catch
        {
            if (endsTurn) turn.MarkHeld();
            throw;
        }
    }

    /// <summary>Replaces an item in place (same position), or appends it when it does not exist yet.</summary>
    public async Task SaveItemAsync(ThreadTurn turn, string owner, NewItem item, CancellationToken ct)
    {
        var threadId = turn.ThreadId;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = Command(connection,
            "INSERT INTO thread_items (id, thread_id, owner_id, type, created_at, text, data) VALUES ($1, $2, $3, $4, $5, $6, $7) " +
            "ON CONFLICT (id) DO UPDATE SET data = excluded.data, text = excluded.text " +
            "WHERE thread_items.thread_id = excluded.thread_id AND thread_items.owner_id = excluded.owner_id",
            item.Id, threadId, owner, item.Type, item.CreatedAt, item.Text, Json(item.Data));
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<StoredItem?> GetItemAsync(ThreadTurn turn, string owner, string itemId, CancellationToken ct)
    {
        var threadId = turn.ThreadId;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = Command(connection,
            "SELECT id, type, created_at, seq, text, data FROM thread_items WHERE id = $1 AND thread_id = $2 AND owner_id = $3",
            itemId, threadId, owner);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var items = await ReadItemsAsync(reader, withText: true, ct);
        return items.Count == 0 ? null : items[0];
    }

    /// <summary>The newest items of a thread, newest first, hidden ones included.</summary>
    public async Task<IReadOnlyList<StoredItem>> LatestItemsAsync(ThreadTurn turn, string owner, int limit, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = Command(connection,
            "SELECT id, type, created_at, seq, text, data FROM thread_items WHERE thread_id = $1 AND owner_id = $2 ORDER BY seq DESC LIMIT $3",
            turn.ThreadId, owner, limit);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await ReadItemsAsync(reader, withText: true, ct);
    }

    /// <summary>Deletes every item after <paramref name="seq"/> (retry) and recounts the thread's messages.</summary>
    public async Task DeleteItemsAfterAsync(ThreadTurn turn, string owner, long seq, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(BatchCommand("DELETE FROM thread_items WHERE thread_id = $1 AND owner_id = $2 AND seq > $3",
            turn.ThreadId, owner, seq));
        batch.BatchCommands.Add(RecountCommand(turn.ThreadId));
        await batch.ExecuteNonQueryAsync(ct);
    }

    public async Task DeleteItemsAsync(ThreadTurn turn, string owner, IReadOnlyCollection<string> itemIds, CancellationToken ct)
    {
        if (itemIds.Count == 0) return;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(BatchCommand("DELETE FROM thread_items WHERE thread_id = $1 AND owner_id = $2 AND id = ANY($3)",
            turn.ThreadId, owner, itemIds.ToArray()));
        batch.BatchCommands.Add(RecountCommand(turn.ThreadId));
        await batch.ExecuteNonQueryAsync(ct);
    }

    // ---- items ---------------------------------------------------------------------------------------------

    /// <summary>items.list: visible items by position, keyset after an item id; null when the thread is not the owner's.</summary>
    public async Task<Page<StoredItem>?> ListItemsAsync(string owner, string threadId, int limit, SortOrder order, string? after,
        CancellationToken ct)
    {
        var (cmp, dir) = order == SortOrder.Desc ? ("<", "DESC") : (">", "ASC");
        var where = new StringBuilder($"thread_id = $1 AND owner_id = $2 AND {VisibleItems}");
        var sql = new SqlBuilder("", threadId, owner);
        var limitParam = sql.Add(limit + 1);
        var bytesParam = sql.Add(options.Value.MaxPageBytes);
        if (after is not null)
        {
            where.Append($" AND seq {cmp} (SELECT seq FROM thread_items WHERE id = {sql.Add(after)} AND thread_id = $1)");
        }
        sql.Append(PageOfItems(dir, where.ToString(), bytesParam, limitParam));

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(BatchCommand("SELECT 1 FROM threads WHERE id = $1 AND owner_id = $2", threadId, owner));
        batch.BatchCommands.Add(sql.ToBatchCommand());
        await using var reader = await batch.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        await reader.NextResultAsync(ct);
        return await ReadPageAsync(reader, limit, ct);
    }

    /// <summary>The REST view of a thread: user and assistant messages, oldest first, after a message id.</summary>
    public async Task<(ThreadRecord Thread, Page<StoredItem> Messages)?> GetThreadMessagesAsync(string owner, string threadId, int limit,
        string? after, CancellationToken ct)
    {
        // Bounded in bytes like a page of items: the text column is what this view reads.
        var sql = new SqlBuilder(
            "SELECT id, type, created_at, seq, CASE WHEN n = 1 OR bytes <= $3 THEN coalesce(text, '') END FROM (" +
            "SELECT id, type, created_at, seq, text, row_number() OVER w AS n, sum(coalesce(octet_length(text), 0)) OVER w AS bytes " +
            "FROM thread_items WHERE thread_id = $1 AND owner_id = $2 AND type IN ('user_message', 'assistant_message')",
            threadId, owner, options.Value.MaxPageBytes);
        var limitParam = sql.Add(limit + 1);
        if (after is not null)
        {
            sql.Append($" AND seq > (SELECT seq FROM thread_items WHERE id = {sql.Add(after)} AND thread_id = $1)");
        }
        sql.Append($" WINDOW w AS (ORDER BY seq) ORDER BY seq LIMIT {limitParam}) page ORDER BY seq");

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(BatchCommand($"SELECT {ThreadColumns} FROM threads WHERE id = $1 AND owner_id = $2", threadId, owner));
        batch.BatchCommands.Add(sql.ToBatchCommand());
        await using var reader = await batch.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        var thread = ReadThread(reader);
        await reader.NextResultAsync(ct);
        var messages = new List<StoredItem>();
        var cut = false;
        while (await reader.ReadAsync(ct))
        {
            if (reader.IsDBNull(4))
            {
                cut = true;
                break;
            }
            messages.Add(new StoredItem(reader.GetString(0), reader.GetString(1), reader.GetDateTime(2), reader.GetInt64(3),
                reader.GetString(4), []));
        }
        return (thread, cut ? new Page<StoredItem>(messages, true, messages[^1].Id) : ToPage(messages, limit, m => m.Id));
    }

    /// <summary>Stores feedback on items of the owner's thread; false when the thread is not the owner's.</summary>
    public async Task<bool> SetFeedbackAsync(string owner, string threadId, IReadOnlyCollection<string> itemIds, string kind,
        CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(BatchCommand("SELECT 1 FROM threads WHERE id = $1 AND owner_id = $2", threadId, owner));
        batch.BatchCommands.Add(BatchCommand(
            "UPDATE thread_items SET feedback = $3 WHERE thread_id = $1 AND owner_id = $2 AND id = ANY($4)",
            threadId, owner, kind, itemIds.ToArray()));
        await using var reader = await batch.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct);
    }

    // ---- attachments ---------------------------------------------------------------------------------------

    /// <summary>
    /// Creates an attachment's metadata unless the owner's attachments would then take more than
    /// <paramref name="quotaBytes"/> (declared sizes of pending uploads count); false when over the quota.
    /// </summary>
    public async Task<bool> CreateAttachmentAsync(AttachmentRecord attachment, long quotaBytes, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = Command(connection,
            "INSERT INTO attachments (id, owner_id, thread_id, name, mime_type, size, uploaded, access_key, created_at) " +
            "SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 " +
            "WHERE (SELECT coalesce(sum(size), 0) FROM attachments WHERE owner_id = $2) + $6 <= $10",
            attachment.Id, attachment.OwnerId, attachment.ThreadId, attachment.Name, attachment.MimeType, attachment.Size,
            attachment.Uploaded, attachment.AccessKey, attachment.CreatedAt, quotaBytes);
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>An attachment by id alone; callers check the owner or the access key.</summary>
    public async Task<AttachmentRecord?> GetAttachmentAsync(string attachmentId, CancellationToken ct)
    {
        var found = await QueryAttachmentsAsync("WHERE id = $1", [attachmentId], ct);
        return found.Count == 0 ? null : found[0];
    }

    public Task<List<AttachmentRecord>> GetAttachmentsAsync(string owner, IReadOnlyCollection<string> ids, CancellationToken ct) =>
        QueryAttachmentsAsync("WHERE owner_id = $1 AND id = ANY($2)", [owner, ids.ToArray()], ct);

    /// <summary>
    /// Marks the bytes as arrived with their real size, unless the attachment is gone, was uploaded already, or the
    /// owner's attachments would then take more than <paramref name="quotaBytes"/>.
    /// </summary>
    public async Task<UploadResult> MarkUploadedAsync(string attachmentId, long size, long quotaBytes, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(BatchCommand(
            "UPDATE attachments a SET uploaded = true, size = $2 WHERE a.id = $1 AND NOT a.uploaded " +
            "AND (SELECT coalesce(sum(o.size), 0) FROM attachments o WHERE o.owner_id = a.owner_id AND o.id <> a.id) + $2 <= $3 RETURNING 1",
            attachmentId, size, quotaBytes));
        batch.BatchCommands.Add(BatchCommand("SELECT uploaded FROM attachments WHERE id = $1", attachmentId));
        await using var reader = await batch.ExecuteReaderAsync(ct);
        if (await reader.ReadAsync(ct)) return UploadResult.Uploaded;
        await reader.NextResultAsync(ct);
        if (!await reader.ReadAsync(ct) || reader.GetBoolean(0)) return UploadResult.GoneOrUploaded;
        return UploadResult.OverQuota;
    }

    /// <summary>Deletes attachments created before <paramref name="createdBefore"/> that never became part of a message.</summary>
    public async Task<List<string>> DeleteUnsentAttachmentsAsync(DateTime createdBefore, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = Command(connection,
            "DELETE FROM attachments WHERE thread_id IS NULL AND created_at < $1 RETURNING id", createdBefore);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var ids = new List<string>();
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetString(0));
        return ids;
    }

    public async Task<AttachmentRecord?> DeleteAttachmentAsync(string owner, string attachmentId, CancellationToken ct)
    {
        var deleted = await QueryAttachmentsAsync("WHERE owner_id = $1 AND id = $2", [owner, attachmentId], ct, delete: true);
        return deleted.Count == 0 ? null : deleted[0];
    }

    async Task<List<AttachmentRecord>> QueryAttachmentsAsync(string where, object[] args, CancellationToken ct, bool delete = false)
    {
        const string columns = "id, owner_id, thread_id, name, mime_type, size, uploaded, access_key, created_at";
        var sql = delete ? $"DELETE FROM attachments {where} RETURNING {columns}" : $"SELECT {columns} FROM attachments {where}";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = Command(connection, sql, args);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var result = new List<AttachmentRecord>();
        while (await reader.ReadAsync(ct))
        {
            result.Add(new AttachmentRecord(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetString(3), reader.GetString(4), reader.GetInt64(5), reader.GetBoolean(6), reader.GetString(7),
                reader.GetDateTime(8)));
        }
        return result;
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /// <summary>The newest items (at most <paramref name="limit"/>) whose JSON and text together fit in <paramref name="maxBytes"/>.</summary>
    static NpgsqlBatchCommand HistoryCommand(string threadId, string owner, long? beforeSeq, int limit, int maxBytes) => BatchCommand(
        "SELECT id, type, created_at, seq, text, data FROM (SELECT id, type, created_at, seq, text, data, " +
        "sum(octet_length(data::text) + coalesce(octet_length(text), 0)) OVER (ORDER BY seq DESC) AS bytes " +
        "FROM thread_items WHERE thread_id = $1 AND owner_id = $2 AND type <> 'widget'" + (beforeSeq is null ? "" : " AND seq < $5") +
        " ORDER BY seq DESC LIMIT $3) newest WHERE bytes <= $4 ORDER BY seq DESC",
        beforeSeq is { } seq ? [threadId, owner, limit, maxBytes, seq] : [threadId, owner, limit, maxBytes]);

    /// <summary>
    /// A page of visible items in <paramref name="dir"/> order: (id, type, created_at, seq, data), where data is null from
    /// the first item on that would take the page over <paramref name="bytesParam"/> bytes (the first item always comes).
    /// </summary>
    static string PageOfItems(string dir, string where, string bytesParam, string limitParam) =>
        $"SELECT id, type, created_at, seq, CASE WHEN n = 1 OR bytes <= {bytesParam} THEN data END FROM (" +
        "SELECT id, type, created_at, seq, data, row_number() OVER w AS n, sum(octet_length(data::text)) OVER w AS bytes " +
        $"FROM thread_items WHERE {where} WINDOW w AS (ORDER BY seq {dir}) ORDER BY seq {dir} LIMIT {limitParam}) page ORDER BY seq {dir}";

    /// <summary>Reads a <see cref="PageOfItems"/>: it ends early, with more to come, at the first item over the byte budget.</summary>
    static async Task<Page<StoredItem>> ReadPageAsync(NpgsqlDataReader reader, int limit, CancellationToken ct)
    {
        var items = new List<StoredItem>();
        while (await reader.ReadAsync(ct))
        {
            if (reader.IsDBNull(4)) return new Page<StoredItem>(items, true, items[^1].Id);
            items.Add(new StoredItem(reader.GetString(0), reader.GetString(1), reader.GetDateTime(2), reader.GetInt64(3), null,
                reader.GetFieldValue<byte[]>(4)));
        }
        return ToPage(items, limit, i => i.Id);
    }

    static NpgsqlBatchCommand RecountCommand(string threadId) => BatchCommand(
        "UPDATE threads SET message_count = (SELECT count(*) FROM thread_items WHERE thread_id = $1 " +
        "AND type IN ('user_message', 'assistant_message')) WHERE id = $1", threadId);

    static void AddInserts(NpgsqlBatch batch, string owner, string threadId, IReadOnlyList<NewItem> items)
    {
        foreach (var item in items)
        {
            batch.BatchCommands.Add(BatchCommand(
                "INSERT INTO thread_items (id, thread_id, owner_id, type, created_at, text, data) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                item.Id, threadId, owner, item.Type, item.CreatedAt, item.Text, Json(item.Data)));
        }
    }

    async Task<List<ThreadRecord>> QueryThreadsAsync(SqlBuilder sql, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(sql.ToBatchCommand());
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var threads = new List<ThreadRecord>();
        while (await reader.ReadAsync(ct)) threads.Add(ReadThread(reader));
        return threads;
    }

    static ThreadRecord ReadThread(NpgsqlDataReader reader) => new(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1),
        reader.GetString(2), reader.GetDateTime(3), reader.GetDateTime(4), reader.GetInt32(5));

    /// <summary>Reads rows of (id, type, created_at, seq[, text], data).</summary>
    static async Task<List<StoredItem>> ReadItemsAsync(NpgsqlDataReader reader, bool withText, CancellationToken ct)
    {
        var items = new List<StoredItem>();
        while (await reader.ReadAsync(ct))
        {
            var text = withText && !reader.IsDBNull(4) ? reader.GetString(4) : null;
            items.Add(new StoredItem(reader.GetString(0), reader.GetString(1), reader.GetDateTime(2), reader.GetInt64(3), text,
                reader.GetFieldValue<byte[]>(withText ? 5 : 4)));
        }
        return items;
    }

    static Page<T> ToPage<T>(List<T> rows, int limit, Func<T, string> id)
    {
        var hasMore = rows.Count > limit;
        if (hasMore) rows.RemoveAt(limit);
        return new Page<T>(rows, hasMore, hasMore && rows.Count > 0 ? id(rows[^1]) : null);
    }

    /// <summary>User text to a prefix tsquery ("buy mil" → 'buy':* &amp; 'mil':*); null when it has no words.</summary>
    public static string? ToPrefixQuery(string? query)
    {
        if (string.IsNullOrWhiteSpace(query)) return null;
        var words = WordPattern().Matches(query.ToLowerInvariant()).Select(m => m.Value).Take(8).ToList();
        return words.Count == 0 ? null : string.Join(" & ", words.Select(w => $"'{w}':*"));
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex WordPattern();

    static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params object?[] args)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var arg in args) command.Parameters.Add(Parameter(arg));
        return command;
    }

    static NpgsqlBatchCommand BatchCommand(string sql, params object?[] args)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var arg in args) command.Parameters.Add(Parameter(arg));
        return command;
    }

    // PostgreSQL text cannot hold NUL characters (the item JSON keeps them, escaped); drop them from plain-text columns.
    static NpgsqlParameter Parameter(object? value) => value as NpgsqlParameter ?? new NpgsqlParameter
    {
        Value = value switch
        {
            null => DBNull.Value,
            string text when text.Contains('\0') => text.Replace("\0", ""),
            _ => value,
        },
    };

    static NpgsqlParameter Json(byte[] utf8) => new() { Value = utf8, NpgsqlDbType = NpgsqlDbType.Json };

    /// <summary>SQL with positional parameters added as the text is built.</summary>
    sealed class SqlBuilder
    {
        readonly StringBuilder sql;
        readonly List<object?> args;

        public SqlBuilder(string start, params object?[] initial)
        {
            sql = new StringBuilder(start);
            args = [.. initial];
        }

        public string Add(object? value)
        {
            args.Add(value);
            return "$" + args.Count.ToString(CultureInfo.InvariantCulture);
        }

        public void Append(string text) => sql.Append(text);

        public NpgsqlBatchCommand ToBatchCommand() => BatchCommand(sql.ToString(), [.. args]);
    }
}

/// <summary>The REST list's cursor: the last thread's activity time and id, so paging is stable while threads move.</summary>
public readonly record struct ActivityCursor(DateTime UpdatedAt, string ThreadId)
{
    public string Encode() => (UpdatedAt.Ticks / 10).ToString(CultureInfo.InvariantCulture) + "." + ThreadId;

    public static bool TryParse(string? value, out ActivityCursor cursor)
    {
        cursor = default;
        var dot = value?.IndexOf('.') ?? -1;
        if (dot <= 0 || !long.TryParse(value.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var micros)
            || micros > DateTime.MaxValue.Ticks / 10 || dot == value!.Length - 1) return false;
        cursor = new ActivityCursor(new DateTime(micros * 10, DateTimeKind.Utc), value[(dot + 1)..]);
        return true;
    }
}
