using ChatKit.ApiService.Infrastructure;

namespace ChatKit.ApiService.Conversations;

/// <summary>
/// A running turn on a thread: holds the thread's lease (renewed in the background every third of its duration) and
/// the in-process lock, never a database connection. Disposing releases both. If this replica dies, the lease runs
/// out on its own and the next turn on the thread goes ahead.
/// </summary>
public sealed class ThreadTurn : IAsyncDisposable
{
    readonly TurnStore store;
    readonly Guid lease;
    readonly IDisposable localLock;
    readonly ILogger logger;
    readonly PeriodicTimer timer;
    readonly CancellationTokenSource stop = new();
    readonly CancellationTokenSource lost = new();
    readonly Task renewals;
    volatile bool released;

    internal ThreadTurn(TurnStore store, ChatThread thread, Guid lease, IDisposable localLock, TimeSpan duration, ILogger logger)
    {
        this.store = store;
        this.lease = lease;
        this.localLock = localLock;
        this.logger = logger;
        Thread = thread;
        timer = new PeriodicTimer(duration / 3);
        renewals = RenewAsync(duration);
    }

    public ChatThread Thread { get; set; }

    public string ThreadId => Thread.Id;

    internal Guid Lease => lease;

    /// <summary>
    /// Cancelled when the turn has lost its lease (a renewal or a fenced write found another turn's): the turn stops
    /// and writes nothing more (<see cref="TurnSupersededException"/>).
    /// </summary>
    public CancellationToken LeaseLost => lost.Token;

    internal void MarkLost()
    {
        if (lost.IsCancellationRequested) return;
        try
        {
            lost.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>The turn's last write releases the lease with it (<see cref="TurnStore.AppendItemsAsync"/>).</summary>
    internal void MarkReleased() => released = true;

    /// <summary>That write failed: the lease is still held and released on dispose.</summary>
    internal void MarkHeld() => released = false;

    // Ends when the timer is disposed (WaitForNextTickAsync returns false): every turn ends this way, and a cancelled
    // wait would throw an exception per turn (measured in the crowd profile, docs/benchmarks.md). The token only cuts
    // short a renewal that is under way.
    async Task RenewAsync(TimeSpan duration)
    {
        try
        {
            while (await timer.WaitForNextTickAsync())
            {
                try
                {
                    if (!await store.RenewLeaseAsync(Thread.OwnerId, ThreadId, lease, duration, stop.Token))
                    {
                        if (released) return;
                        logger.LogWarning("The turn on {ThreadId} lost its lease (the thread was deleted, or the lease ran out and another turn took it); it stops.", ThreadId);
                        MarkLost();
                        return;
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The database may be back before the lease runs out; keep trying.
                    logger.LogWarning(e, "Renewing the turn lease on {ThreadId} failed.", ThreadId);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            timer.Dispose();
            if (!renewals.IsCompleted) await stop.CancelAsync();
            await renewals;
            if (!released && !lost.IsCancellationRequested) await store.ReleaseLeaseAsync(Thread.OwnerId, ThreadId, lease);
        }
        catch (Exception e)
        {
            // Not released: the lease runs out by itself, so the next turn waits at most its duration.
            logger.LogWarning(e, "Releasing the turn lease on {ThreadId} failed.", ThreadId);
        }
        finally
        {
            stop.Dispose();
            lost.Dispose();
            localLock.Dispose();
        }
    }
}

/// <summary>
/// The turn stalled past its lease (a paused replica, the database out of reach) and another turn took the thread:
/// it stopped and saved nothing more. Its user message stays; the turn that took over answers with it in its history.
/// </summary>
public sealed class TurnSupersededException(Exception? inner = null)
    : ApiError(StatusCodes.Status409Conflict, "turn_superseded",
        "This reply was stopped: it stalled, and a newer message on the conversation is being answered instead.", inner);
