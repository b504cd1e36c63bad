using ChatKit.ApiService.Infrastructure;
using Npgsql;
using static ChatKit.ApiService.Conversations.Sql;

namespace ChatKit.ApiService.Conversations;

/// <summary>A user message a follow-up saves in the round trip that takes the thread's lease.</summary>
/// <param name="Title">The thread's title if it has none and no message yet (its first message names it).</param>
public sealed record FollowUpMessage(ThreadItem Item, string? Title, IReadOnlyCollection<string> AttachmentIds, int HistoryLimit);

/// <summary>A follow-up's turn, the history before its message (oldest first), and whether its message named the thread.</summary>
public sealed record FollowUpTurn(ThreadTurn Turn, IReadOnlyList<ThreadItem> History, bool Titled);

/// <summary>The turn's lease: taking it (with the user's cap across replicas), renewing and releasing it.</summary>
public sealed partial class TurnStore
{
    static readonly TimeSpan MaxLeasePollDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The hot path of a new conversation: the thread (its first turn's lease taken), its first items and the
    /// attachment stamps in one round trip. A follow-up sent while this turn still runs waits for it.
    /// </summary>
    public async Task<ThreadTurn> CreateThreadWithItemsAsync(ChatThread thread, IReadOnlyList<ThreadItem> items,
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
            batch.BatchCommands.Add(ClaimCommand(thread.OwnerId, settings.MaxTurnsPerUser));
            batch.BatchCommands.Add(BatchCommand(
                "INSERT INTO threads (id, owner_id, title, status, metadata, created_at, updated_at, message_count, turn_lease, turn_lease_expires_at) " +
                "VALUES ($1, $2, $3, $4::jsonb, '{}', $5, $6, $7, $8, now() + $9)",
                thread.Id, thread.OwnerId, thread.Title, thread.StatusJson, thread.CreatedAt, thread.UpdatedAt, thread.MessageCount, lease,
                settings.TurnLease));
            AddInserts(batch, thread.OwnerId, thread.Id, items);
            if (attachmentIds.Count > 0) batch.BatchCommands.Add(BatchCommand(StampAttachments, thread.Id, thread.OwnerId, attachmentIds.ToArray()));
            await ExecuteClaimAsync(batch.ExecuteNonQueryAsync(ct));
        }
        catch
        {
            local.Dispose();
            throw;
        }
        return new ThreadTurn(this, thread, lease, local, settings.TurnLease, logger);
    }

    /// <summary>
    /// Starts a turn on an existing thread of the owner: waits for earlier turns on it (in this replica in memory,
    /// across replicas by polling the thread's lease), takes the lease and reads the thread as it is now. Nothing is
    /// held in the database while waiting or while the turn runs. Null when the thread does not exist or belongs to
    /// someone else; <see cref="ThreadBusyException"/> when an earlier turn outlasts <see cref="ConversationOptions.TurnLockTimeout"/>.
    /// </summary>
    public async Task<ThreadTurn?> BeginTurnAsync(string owner, string threadId, CancellationToken ct) =>
        (await LeaseAsync(owner, threadId, message: null, ct))?.Turn;

    /// <summary>
    /// A follow-up's start (<see cref="BeginTurnAsync"/>) and its user message in the same round trip and
    /// transaction: the lease, the history before the message, the message, its attachments' stamps and the thread's
    /// activity, count and title. A follow-up commits once before the model is called instead of twice.
    /// </summary>
    public Task<FollowUpTurn?> BeginFollowUpAsync(string owner, string threadId, FollowUpMessage message, CancellationToken ct) =>
        LeaseAsync(owner, threadId, message, ct);

    async Task<FollowUpTurn?> LeaseAsync(string owner, string threadId, FollowUpMessage? message, CancellationToken ct)
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
                var (thread, exists, history) = await TryLeaseAsync(owner, threadId, lease, message, settings, ct);
                if (thread is not null)
                {
                    var turn = new ThreadTurn(this, thread, lease, local, settings.TurnLease, logger);
                    return new FollowUpTurn(turn, history, message?.Title is not null && thread.MessageCount == 1 && thread.Title == message.Title);
                }
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

    /// <summary>
    /// Takes the thread's lease when it is free or expired, in one batch after the user's claim, and says whether the
    /// thread exists. With a <paramref name="message"/>, the same batch reads the history and saves the message, its
    /// writes conditional on the lease just taken (a busy thread gets none of them).
    /// </summary>
    async Task<(ChatThread? Thread, bool Exists, List<ThreadItem> History)> TryLeaseAsync(string owner, string threadId, Guid lease,
        FollowUpMessage? message, ConversationOptions settings, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(ClaimCommand(owner, settings.MaxTurnsPerUser));
        batch.BatchCommands.Add(message is null
            ? BatchCommand(
                "UPDATE threads SET turn_lease = $3, turn_lease_expires_at = now() + $4 WHERE id = $1 AND owner_id = $2 " +
                $"AND (turn_lease_expires_at IS NULL OR turn_lease_expires_at < now()) RETURNING {ChatThread.Columns}",
                threadId, owner, lease, settings.TurnLease)
            : BatchCommand(
                "UPDATE threads SET turn_lease = $3, turn_lease_expires_at = now() + $4, updated_at = $5, message_count = message_count + 1, " +
                "title = CASE WHEN title IS NULL AND message_count = 0 THEN $6 ELSE title END WHERE id = $1 AND owner_id = $2 " +
                $"AND (turn_lease_expires_at IS NULL OR turn_lease_expires_at < now()) RETURNING {ChatThread.Columns}",
                threadId, owner, lease, settings.TurnLease, message.Item.CreatedAt, message.Title));
        batch.BatchCommands.Add(BatchCommand("SELECT 1 FROM threads WHERE id = $1 AND owner_id = $2", threadId, owner));
        if (message is not null)
        {
            const string Leased = "EXISTS (SELECT 1 FROM threads WHERE id = $2 AND owner_id = $3 AND turn_lease = $8)";
            var item = message.Item;
            batch.BatchCommands.Add(HistoryCommand(threadId, owner, beforeSeq: null, message.HistoryLimit, settings.MaxHistoryBytes));
            batch.BatchCommands.Add(BatchCommand(
                $"INSERT INTO thread_items (id, thread_id, owner_id, type, created_at, text, data) SELECT $1, $2, $3, $4, $5, $6, $7 WHERE {Leased}",
                item.Id, threadId, owner, item.Type, item.CreatedAt, item.Text, Json(item.Data), lease));
            if (message.AttachmentIds.Count > 0)
            {
                batch.BatchCommands.Add(BatchCommand(
                    "UPDATE attachments SET thread_id = $1 WHERE owner_id = $2 AND id = ANY($3) " +
                    "AND EXISTS (SELECT 1 FROM threads WHERE id = $1 AND owner_id = $2 AND turn_lease = $4)",
                    threadId, owner, message.AttachmentIds.ToArray(), lease));
            }
        }
        await using var reader = await ExecuteClaimAsync(batch.ExecuteReaderAsync(ct));
        await reader.NextResultAsync(ct);
        var thread = (await reader.ReadAllAsync(ChatThread.Read, ct)).FirstOrDefault();
        await reader.NextResultAsync(ct);
        var exists = await reader.ReadAsync(ct);
        var history = new List<ThreadItem>();
        if (message is not null && thread is not null)
        {
            await reader.NextResultAsync(ct);
            history = await reader.ReadAllAsync(ThreadItem.Read, ct);
            history.Reverse();
        }
        return (thread, exists, history);
    }

    /// <summary>Extends a held lease; false when it is no longer this turn's (expired and taken, or the thread deleted).</summary>
    internal async Task<bool> RenewLeaseAsync(string owner, string threadId, Guid lease, TimeSpan duration, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = Command(connection,
            "UPDATE threads SET turn_lease_expires_at = now() + $3 WHERE id = $1 AND owner_id = $4 AND turn_lease = $2",
            threadId, lease, duration, owner);
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    internal async Task ReleaseLeaseAsync(string owner, string threadId, Guid lease)
    {
        await using var connection = await dataSource.OpenConnectionAsync(CancellationToken.None);
        await using var command = Command(connection,
            "UPDATE threads SET turn_lease = NULL, turn_lease_expires_at = NULL WHERE id = $1 AND owner_id = $3 AND turn_lease = $2",
            threadId, lease, owner);
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    /// <summary>The first statement of every batch that takes a lease: the user's cap of turns in flight, all replicas.</summary>
    static NpgsqlBatchCommand ClaimCommand(string owner, int cap) => BatchCommand("SELECT chatkit_claim_turn($1, $2)", owner, cap);

    async Task<T> ExecuteClaimAsync<T>(Task<T> execution)
    {
        try
        {
            return await execution;
        }
        catch (PostgresException e) when (e.SqlState == UserCapState)
        {
            throw ApiError.TooManyTurns(options.Value.MaxTurnsPerUser);
        }
    }
}
