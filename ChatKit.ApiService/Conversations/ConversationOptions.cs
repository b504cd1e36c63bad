using System.ComponentModel.DataAnnotations;

namespace ChatKit.ApiService.Conversations;

/// <summary>Limits of the conversation store and turns (configuration section <c>ChatKit:Conversations</c>).</summary>
public sealed class ConversationOptions
{
    public const string Section = "ChatKit:Conversations";

    /// <summary>Longest user message in characters (REST and ChatKit alike).</summary>
    [Range(1, 100_000)]
    public int MaxMessageLength { get; set; } = 8000;

    /// <summary>How many earlier items a turn sends to the agent (the agent windows them further).</summary>
    [Range(1, 1000)]
    public int HistoryLimit { get; set; } = 60;

    /// <summary>How long a message waits for an earlier turn on the same thread before it is refused (409).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan TurnLockTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// How long a turn's lease on its thread lasts unless renewed (it is renewed every third of this while the turn
    /// runs). After a replica dies mid-turn, the thread's next turn waits at most this long.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan TurnLease { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Turns one user may have in flight (running or waiting) per API replica; the next is refused with 429 and
    /// <c>Retry-After</c>, so one user cannot take the capacity everyone shares.
    /// </summary>
    [Range(1, 1000)]
    public int MaxTurnsPerUser { get; set; } = 4;
}
