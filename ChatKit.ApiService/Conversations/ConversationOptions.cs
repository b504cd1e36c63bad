using System.ComponentModel.DataAnnotations;
using ChatKit.Agent.Contracts;

namespace ChatKit.ApiService.Conversations;

/// <summary>
/// Limits of the conversation store and turns (configuration section <c>ChatKit:Conversations</c>): what one request may
/// ask to store, field by field and item by item, and how much a turn or a page reads back. docs/reliability.md lists
/// them all with their defaults.
/// </summary>
public sealed class ConversationOptions : IValidatableObject
{
    public const string Section = "ChatKit:Conversations";

    /// <summary>Longest user message in characters (REST and ChatKit alike), and longest text part of one.</summary>
    [Range(1, 100_000)]
    public int MaxMessageLength { get; set; } = 8000;

    /// <summary>Most content parts (texts and @-mention tags) in one user message.</summary>
    [Range(1, 1000)]
    public int MaxContentParts { get; set; } = 50;

    /// <summary>Longest <c>quoted_text</c> of a user message, in characters.</summary>
    [Range(1, 100_000)]
    public int MaxQuotedTextLength { get; set; } = 8000;

    /// <summary>Longest <c>id</c>, <c>text</c> or <c>group</c> of an @-mention tag, in characters.</summary>
    [Range(1, 10_000)]
    public int MaxTagFieldLength { get; set; } = 256;

    /// <summary>Largest <c>data</c> of an @-mention tag, in bytes of JSON.</summary>
    [Range(2, 1 << 20)]
    public int MaxTagDataBytes { get; set; } = 4 * 1024;

    /// <summary>Longest <c>inference_options.model</c> or <c>inference_options.tool_choice.id</c>, in characters.</summary>
    [Range(1, 10_000)]
    public int MaxInferenceOptionLength { get; set; } = 200;

    /// <summary>Largest <c>result</c> of <c>threads.add_client_tool_output</c>, in bytes of JSON.</summary>
    [Range(2, 16 << 20)]
    public int MaxToolOutputBytes { get; set; } = 64 * 1024;

    /// <summary>Most values in one structured-input answer.</summary>
    [Range(1, 1000)]
    public int MaxAnswerValues { get; set; } = 50;

    /// <summary>Longest value of a structured-input answer, in characters.</summary>
    [Range(1, 100_000)]
    public int MaxAnswerValueLength { get; set; } = 2000;

    /// <summary>Largest stored item (its JSON) that a request may create: a user message, a tool output, answers.</summary>
    [Range(1024, 64 << 20)]
    public int MaxItemBytes { get; set; } = 256 * 1024;

    /// <summary>How many earlier items a turn sends to the agent: the agent's prompt window (<see cref="HistoryWindow"/>).</summary>
    [Range(1, 1000)]
    public int HistoryLimit { get; set; } = HistoryWindow.DefaultMessages;

    /// <summary>How many bytes of stored items a turn reads back as history: the newest items that fit.</summary>
    [Range(1024, 256 << 20)]
    public int MaxHistoryBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// How many bytes of stored items one page of <c>items.list</c>, <c>threads.get_by_id</c> or the REST messages holds:
    /// a page ends early (<c>has_more</c>) when the next item would go over; its first item always comes.
    /// </summary>
    [Range(1024, 256 << 20)]
    public int MaxPageBytes { get; set; } = 1024 * 1024;

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
    /// Turns one user may have in flight; the next is refused with 429 and <c>Retry-After</c>, so one user cannot take
    /// the capacity everyone shares. Running turns are counted across all API replicas (from the thread leases), turns
    /// still waiting for a busy thread per replica.
    /// </summary>
    [Range(1, 1000)]
    public int MaxTurnsPerUser { get; set; } = 4;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxItemBytes > MaxHistoryBytes)
            yield return new ValidationResult("MaxItemBytes must not be larger than MaxHistoryBytes.", [nameof(MaxItemBytes), nameof(MaxHistoryBytes)]);
        if (MaxItemBytes > MaxPageBytes)
            yield return new ValidationResult("MaxItemBytes must not be larger than MaxPageBytes.", [nameof(MaxItemBytes), nameof(MaxPageBytes)]);
        if (MaxToolOutputBytes >= MaxItemBytes)
            yield return new ValidationResult("MaxToolOutputBytes must be smaller than MaxItemBytes.", [nameof(MaxToolOutputBytes), nameof(MaxItemBytes)]);
    }
}
