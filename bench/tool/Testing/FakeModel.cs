using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using ChatKit.Testing;

namespace ChatKit.Bench.Testing;

/// <summary>
/// What the shared fake OpenAI-compatible model (ChatKit.Testing's <see cref="FakeOpenAIServer"/>) answers in the bench,
/// by mode: ok (the answer word by word), slow (one word every <see cref="SlowDelayMs"/>), 429 (with
/// <c>retry-after-ms: 50</c>), 500, hang (no answer within the drills' timeouts), paced (the crowd scenario: the first
/// text delta after firstTokenMs, then deltas-1 more, deltaGapMs apart). Set one with
/// <c>fake.Respond = _ =&gt; FakeModel.Reply(mode)</c>.
/// </summary>
public static class FakeModel
{
    public const string Answer = "Sure, here is the answer from the fake provider, streamed in small pieces.";
    public const int SlowDelayMs = 300;
    public static readonly string[] Modes = ["ok", "slow", "429", "500", "hang", "paced"];

    /// <summary>Paced mode: the text of the answer's i-th delta (the peers stream the same pieces).</summary>
    public static string PacedPiece(int i) => $"Piece {i + 1} of the answer. ";

    static readonly string[] Words = [.. Answer.Split(' ').Select(word => word + " ")];

    public static FakeReply Reply(string mode, int firstTokenMs = 2000, int deltas = 10, int deltaGapMs = 100) => mode switch
    {
        "ok" => FakeReply.Paced(TimeSpan.Zero, Words, TimeSpan.Zero),
        "slow" => FakeReply.Paced(TimeSpan.FromMilliseconds(SlowDelayMs), Words, TimeSpan.FromMilliseconds(SlowDelayMs)),
        "429" => FakeReply.Status(429, retryAfter: TimeSpan.FromMilliseconds(50)),
        "500" => FakeReply.Status(500),
        "hang" => FakeReply.Hang(TimeSpan.FromMinutes(10)),
        "paced" => Paced(firstTokenMs, deltas, deltaGapMs),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "one of " + string.Join(", ", Modes)),
    };

    /// <summary>The crowd's model: the first text delta after <paramref name="firstTokenMs"/>, then the others <paramref name="deltaGapMs"/> apart.</summary>
    public static FakeReply Paced(int firstTokenMs, int deltas, int deltaGapMs) => FakeReply.Paced(
        TimeSpan.FromMilliseconds(firstTokenMs), [.. Enumerable.Range(0, deltas).Select(PacedPiece)], TimeSpan.FromMilliseconds(deltaGapMs));

    /// <summary>Answers every request in the mode from now on.</summary>
    public static void Use(this FakeOpenAIServer fake, FakeReply reply) => fake.Respond = _ => reply;
}

/// <summary>
/// When the fake model wrote and flushed each request's first text delta (<see cref="Clock.NowMs"/>), keyed by the text
/// of the request's last user message (the latest request wins).
/// </summary>
public sealed class FirstTokens
{
    readonly ConcurrentDictionary<string, double> sent = new();

    public FirstTokens(FakeOpenAIServer fake) => fake.FirstTextSent += body =>
    {
        var at = Clock.NowMs();
        if (LastUserText(body) is { } key) sent[key] = at;
    };

    public double? At(string key) => sent.TryGetValue(key, out var t) ? t : null;

    public void Clear() => sent.Clear();

    /// <summary>The text of the last user message (content as a string or as an array of text parts).</summary>
    static string? LastUserText(JsonObject body)
    {
        if (body["messages"] is not JsonArray messages) return null;
        for (var i = messages.Count - 1; i >= 0; i--)
        {
            if ((string?)messages[i]?["role"] != "user") continue;
            return messages[i]!["content"] switch
            {
                JsonValue v when v.TryGetValue<string>(out var text) => text.Trim(),
                JsonArray parts => string.Concat(parts.Select(p => (string?)p?["text"] ?? "")).Trim(),
                _ => null,
            };
        }
        return null;
    }
}
