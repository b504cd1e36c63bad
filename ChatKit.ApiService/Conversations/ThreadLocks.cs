using ChatKit.ApiService.Infrastructure;

namespace ChatKit.ApiService.Conversations;

/// <summary>
/// In-process, per-thread mutual exclusion: turns on one thread run one after the other in this replica without
/// each waiter holding a database connection. <see cref="TurnStore.BeginTurnAsync"/> adds the thread's lease
/// (a row lease, <see cref="ThreadTurn"/>) on top, which orders turns across replicas.
/// </summary>
public sealed class ThreadLocks
{
    readonly Dictionary<string, Entry> entries = new(StringComparer.Ordinal);

    public async ValueTask<IDisposable> AcquireAsync(string threadId, TimeSpan timeout, CancellationToken ct)
    {
        Entry entry;
        lock (entries)
        {
            if (!entries.TryGetValue(threadId, out entry!)) entries[threadId] = entry = new Entry();
            entry.Users++;
        }
        try
        {
            if (!await entry.Gate.WaitAsync(timeout, ct)) throw new ThreadBusyException();
        }
        catch
        {
            Leave(threadId, entry, held: false);
            throw;
        }
        return new Releaser(this, threadId, entry);
    }

    void Leave(string threadId, Entry entry, bool held)
    {
        if (held) entry.Gate.Release();
        lock (entries)
        {
            if (--entry.Users == 0) entries.Remove(threadId);
        }
    }

    sealed class Entry
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public int Users;
    }

    sealed class Releaser(ThreadLocks owner, string threadId, Entry entry) : IDisposable
    {
        int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0) owner.Leave(threadId, entry, held: true);
        }
    }
}

/// <summary>Another turn on the thread did not finish within the lock timeout.</summary>
/// <summary>An earlier turn on the thread outlasted the wait (409).</summary>
public sealed class ThreadBusyException()
    : ApiError(StatusCodes.Status409Conflict, "thread_busy", "Another message to this thread is still being answered.");
