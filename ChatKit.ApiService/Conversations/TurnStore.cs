using Microsoft.Extensions.Options;
using Npgsql;
using static ChatKit.ApiService.Conversations.Sql;

namespace ChatKit.ApiService.Conversations;

/// <summary>
/// A turn's reads and writes (docs/benchmarks.md measures them): the thread's lease, the history, the items a turn
/// adds, replaces or drops. Hand-written SQL on the one <see cref="NpgsqlDataSource"/>, read by column name; every
/// statement filters by the owner or by the turn's own lease, and statements that belong together go in one
/// <see cref="NpgsqlBatch"/> (one round trip, one implicit transaction). Nothing is held in the database between
/// statements.
/// <para>
/// Fencing (docs/reliability.md): every batch a turn writes starts with <c>chatkit_fence_turn</c>, which locks the
/// thread's row while the turn holds its lease and fails the whole batch when another turn has taken it, so a turn that stalled past its lease
/// (a paused replica, a database out of reach) writes nothing more and ends with <see cref="TurnSupersededException"/>.
/// Every batch that takes a lease starts with <c>chatkit_claim_turn</c>: the per-user cap of turns in flight, counted
/// from the live leases, for all replicas at once.
/// </para>
/// </summary>
public sealed partial class TurnStore(NpgsqlDataSource dataSource, ThreadLocks locks, IOptions<ConversationOptions> options, ILogger<TurnStore> logger)
{
    const string InsertItem = "INSERT INTO thread_items (id, thread_id, owner_id, type, created_at, text, data) VALUES ($1, $2, $3, $4, $5, $6, $7)";
    const string StampAttachments = "UPDATE attachments SET thread_id = $1 WHERE owner_id = $2 AND id = ANY($3)";
    const string ItemColumns = "id, type, created_at, seq, text, data";

    /// <summary>The SQLSTATEs the migration's functions raise (FencedTurnsAndUserCap).</summary>
    const string LeaseLostState = "CK409", UserCapState = "CK429";

    /// <summary>History for the model: the newest items before <paramref name="beforeSeq"/> (all when null), oldest first.</summary>
    public async Task<IReadOnlyList<ThreadItem>> LoadHistoryAsync(ThreadTurn turn, long? beforeSeq, int limit,
        CancellationToken ct)
    {
        var owner = turn.Thread.OwnerId;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(HistoryCommand(turn.ThreadId, owner, beforeSeq, limit, options.Value.MaxHistoryBytes));
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var history = await reader.ReadAllAsync(ThreadItem.Read, ct);
        history.Reverse();
        return history;
    }

    /// <summary>
    /// Appends items produced by a turn and bumps the thread's activity time and message count. With
    /// <paramref name="endsTurn"/>, the same statement releases the turn's lease (the turn writes nothing after it),
    /// which saves the turn a round trip.
    /// </summary>
    public async Task AppendItemsAsync(ThreadTurn turn, IReadOnlyList<ThreadItem> items, CancellationToken ct,
        bool endsTurn = false)
    {
        var owner = turn.Thread.OwnerId;
        if (items.Count == 0) return;
        var threadId = turn.ThreadId;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(FenceCommand(turn));
        AddInserts(batch, owner, threadId, items);
        if (endsTurn)
        {
            // The fence has just checked the lease and locked the row: it is this turn's to release.
            turn.MarkReleased();
            batch.BatchCommands.Add(BatchCommand(
                "UPDATE threads SET updated_at = greatest(updated_at, $2), message_count = message_count + $3, " +
                "turn_lease = NULL, turn_lease_expires_at = NULL WHERE id = $1 AND owner_id = $4",
                threadId, items[^1].CreatedAt, items.Count(i => i.IsMessage), owner));
        }
        else
        {
            batch.BatchCommands.Add(BatchCommand(
                "UPDATE threads SET updated_at = greatest(updated_at, $2), message_count = message_count + $3 WHERE id = $1 AND owner_id = $4",
                threadId, items[^1].CreatedAt, items.Count(i => i.IsMessage), owner));
        }
        try
        {
            await ExecuteFencedAsync(turn, batch.ExecuteNonQueryAsync(ct));
        }
        catch
        {
            if (endsTurn) turn.MarkHeld();
            throw;
        }
    }

    /// <summary>Replaces an item in place (same position), or appends it when it does not exist yet.</summary>
    public async Task SaveItemAsync(ThreadTurn turn, ThreadItem item, CancellationToken ct)
    {
        var owner = turn.Thread.OwnerId;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(FenceCommand(turn));
        batch.BatchCommands.Add(BatchCommand(
            InsertItem + " ON CONFLICT (id) DO UPDATE SET data = excluded.data, text = excluded.text " +
            "WHERE thread_items.thread_id = excluded.thread_id AND thread_items.owner_id = excluded.owner_id",
            item.Id, turn.ThreadId, owner, item.Type, item.CreatedAt, item.Text, Json(item.Data)));
        await ExecuteFencedAsync(turn, batch.ExecuteNonQueryAsync(ct));
    }

    public async Task<ThreadItem?> GetItemAsync(ThreadTurn turn, string itemId, CancellationToken ct)
    {
        var owner = turn.Thread.OwnerId;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = Command(connection,
            $"SELECT {ItemColumns} FROM thread_items WHERE id = $1 AND thread_id = $2 AND owner_id = $3", itemId, turn.ThreadId, owner);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return (await reader.ReadAllAsync(ThreadItem.Read, ct)).FirstOrDefault();
    }

    /// <summary>The newest items of a thread, newest first, hidden ones included.</summary>
    public async Task<IReadOnlyList<ThreadItem>> LatestItemsAsync(ThreadTurn turn, int limit, CancellationToken ct)
    {
        var owner = turn.Thread.OwnerId;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = Command(connection,
            $"SELECT {ItemColumns} FROM thread_items WHERE thread_id = $1 AND owner_id = $2 ORDER BY seq DESC LIMIT $3",
            turn.ThreadId, owner, limit);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAllAsync(ThreadItem.Read, ct);
    }

    /// <summary>Deletes every item after <paramref name="seq"/> (retry) and recounts the thread's messages, in one round trip.</summary>
    public async Task DeleteItemsAfterAsync(ThreadTurn turn, long seq, CancellationToken ct)
    {
        var owner = turn.Thread.OwnerId;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(FenceCommand(turn));
        batch.BatchCommands.Add(BatchCommand("DELETE FROM thread_items WHERE thread_id = $1 AND owner_id = $2 AND seq > $3",
            turn.ThreadId, owner, seq));
        batch.BatchCommands.Add(RecountCommand(turn.ThreadId, owner));
        await ExecuteFencedAsync(turn, batch.ExecuteNonQueryAsync(ct));
    }

    /// <summary>Deletes items of the turn's thread and recounts its messages, in one round trip.</summary>
    public async Task DeleteItemsAsync(ThreadTurn turn, IReadOnlyCollection<string> itemIds, CancellationToken ct)
    {
        var owner = turn.Thread.OwnerId;
        if (itemIds.Count == 0) return;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(FenceCommand(turn));
        batch.BatchCommands.Add(BatchCommand("DELETE FROM thread_items WHERE thread_id = $1 AND owner_id = $2 AND id = ANY($3)",
            turn.ThreadId, owner, itemIds.ToArray()));
        batch.BatchCommands.Add(RecountCommand(turn.ThreadId, owner));
        await ExecuteFencedAsync(turn, batch.ExecuteNonQueryAsync(ct));
    }

    /// <summary>The newest items (at most <paramref name="limit"/>) whose JSON and text together fit in <paramref name="maxBytes"/>.</summary>
    static NpgsqlBatchCommand HistoryCommand(string threadId, string owner, long? beforeSeq, int limit, int maxBytes) => BatchCommand(
        $"SELECT {ItemColumns} FROM (SELECT {ItemColumns}, " +
        "sum(octet_length(data::text) + coalesce(octet_length(text), 0)) OVER (ORDER BY seq DESC) AS bytes " +
        "FROM thread_items WHERE thread_id = $1 AND owner_id = $2 AND type <> 'widget'" + (beforeSeq is null ? "" : " AND seq < $5") +
        " ORDER BY seq DESC LIMIT $3) newest WHERE bytes <= $4 ORDER BY seq DESC",
        beforeSeq is { } seq ? [threadId, owner, limit, maxBytes, seq] : [threadId, owner, limit, maxBytes]);

    /// <summary>The first statement of every batch a turn writes: holds the lease still, or fails the batch when it is lost.</summary>
    static NpgsqlBatchCommand FenceCommand(ThreadTurn turn) => BatchCommand("SELECT chatkit_fence_turn($1, $2, $3)",
        turn.ThreadId, turn.Thread.OwnerId, turn.Lease);

    static async Task<T> ExecuteFencedAsync<T>(ThreadTurn turn, Task<T> execution)
    {
        try
        {
            return await execution;
        }
        catch (PostgresException e) when (e.SqlState == LeaseLostState)
        {
            turn.MarkLost();
            throw new TurnSupersededException(e);
        }
    }

    static NpgsqlBatchCommand RecountCommand(string threadId, string owner) => BatchCommand(
        "UPDATE threads SET message_count = (SELECT count(*) FROM thread_items WHERE thread_id = $1 " +
        "AND type IN ('user_message', 'assistant_message')) WHERE id = $1 AND owner_id = $2", threadId, owner);

    static void AddInserts(NpgsqlBatch batch, string owner, string threadId, IReadOnlyList<ThreadItem> items)
    {
        foreach (var item in items)
        {
            batch.BatchCommands.Add(BatchCommand(InsertItem, item.Id, threadId, owner, item.Type, item.CreatedAt, item.Text, Json(item.Data)));
        }
    }
}
