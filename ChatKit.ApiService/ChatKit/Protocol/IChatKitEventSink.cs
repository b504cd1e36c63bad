namespace ChatKit.ApiService.ChatKit.Protocol;

/// <summary>Where a turn's ChatKit events go: an SSE response, or nowhere (the REST JSON reply).</summary>
public interface IChatKitEventSink
{
    /// <summary>True once the first event went out: from then on failures are error events, not HTTP statuses.</summary>
    bool Started { get; }

    /// <summary>Adds an event to the response; it goes out on the next <see cref="FlushAsync"/>.</summary>
    ValueTask WriteAsync(ChatKitEvent chatKitEvent);

    /// <summary>
    /// Sends what was written. Call it before waiting for anything (the agent, the database) and at the end, so
    /// events that are ready together leave in one write instead of one system call each.
    /// </summary>
    ValueTask FlushAsync();
}

public sealed class NullEventSink : IChatKitEventSink
{
    public static NullEventSink Instance { get; } = new();

    public bool Started => false;

    public ValueTask WriteAsync(ChatKitEvent chatKitEvent) => ValueTask.CompletedTask;

    public ValueTask FlushAsync() => ValueTask.CompletedTask;
}
