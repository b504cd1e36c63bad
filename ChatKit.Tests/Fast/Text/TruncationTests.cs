using System.Globalization;
using System.Text;
using ChatKit.Agent.Contracts;
using ChatKit.Agent.Turns;
using ChatKit.ApiService.ChatKit.Protocol;
using ChatKit.ApiService.Turns;

namespace ChatKit.Tests.Fast.Text;

/// <summary>
/// Every cut of user text (titles, quoted text for the agent, the agent's history window) falls between text elements:
/// never inside an emoji, a ZWJ sequence, a flag or a letter with its combining marks. Plain unit tests, every cut position.
/// </summary>
public sealed class TruncationTests
{
    /// <summary>PostgreSQL's (and Npgsql's) view of a string: a lone surrogate makes this throw.</summary>
    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static TheoryData<string, string> Texts => new()
    {
        { "emoji", string.Concat(Enumerable.Repeat("😀", 40)) },
        { "ZWJ families", string.Concat(Enumerable.Repeat("👩‍👩‍👧‍👦", 8)) },
        { "skin tones and ZWJ professions", string.Concat(Enumerable.Repeat("👍🏽🧑🏿‍🚀", 8)) },
        { "flags", string.Concat(Enumerable.Repeat("🇫🇷🇯🇵🇺🇦", 6)) },
        { "combining marks", string.Concat(Enumerable.Repeat("e\u0301a\u0308\u0323", 12)) },
        { "Hangul jamo", string.Concat(Enumerable.Repeat("\u1100\u1161\u11A8", 12)) },
        { "CRLF and keycaps", string.Concat(Enumerable.Repeat("1\uFE0F\u20E3\r\n", 10)) },
        { "mixed", "Plan 🇩🇪 trip: 👩‍💻 é\u0301 x😀y " + string.Concat(Enumerable.Repeat("🏳️‍🌈", 5)) },
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void TruncateKeepsTheLongestPrefixOfWholeTextElementsAtEveryLength(string kind, string text)
    {
        var boundaries = Boundaries(text);
        var first = boundaries.Where(b => b > 0).Min();
        for (var max = first; max <= text.Length + 1; max++)
        {
            var cut = TextElements.Truncate(text, max);
            Assert.True(text.StartsWith(cut, StringComparison.Ordinal), $"{kind} at {max}: not a prefix");
            Assert.True(cut.Length <= max, $"{kind} at {max}: {cut.Length} code units");
            Assert.Equal(boundaries.Where(b => b <= max).Max(), cut.Length);
            StrictUtf8.GetBytes(cut);
        }
        // Shorter than the first element: whole scalars only.
        for (var max = 0; max < first; max++)
        {
            var cut = TextElements.Truncate(text, max);
            Assert.True(text.StartsWith(cut, StringComparison.Ordinal) && cut.Length <= max, $"{kind} at {max}");
            StrictUtf8.GetBytes(cut);
        }
    }

    [Fact]
    public void ATextElementLongerThanTheLimitIsCutBetweenWholeScalars()
    {
        // One text element: a letter with 50 combining marks. Nothing whole fits, so the cut keeps whole scalars.
        var zalgo = "a" + new string('\u0301', 50);
        Assert.Equal(zalgo[..10], TextElements.Truncate(zalgo, 10));

        // An emoji with 30 skin-tone modifiers after it is one text element too: no half surrogate pair either way.
        var run = "👍" + string.Concat(Enumerable.Repeat("🏽", 30));
        for (var max = 0; max < run.Length; max++)
        {
            var cut = TextElements.Truncate(run, max);
            Assert.Equal(max - max % 2, cut.Length);
            StrictUtf8.GetBytes(cut);
        }
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public void ATitleFromOneLongWordIsCutBetweenTextElementsWhateverItsAlignment(string kind, string text)
    {
        // One word (no spaces), shifted by 0-3 code units so that every kind of element meets the cut at position 59.
        var letters = string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
        for (var shift = 0; shift < 4; shift++)
        {
            var word = new string('x', shift) + letters + letters + letters;
            var title = Titles.FromMessage(word)!;
            StrictUtf8.GetBytes(title);
            Assert.EndsWith("…", title);
            var kept = title[..^1];
            Assert.True(kept.Length <= Titles.MaxLength - 1, $"{kind} +{shift}: {kept.Length}");
            Assert.Equal(word[1..kept.Length], kept[1..]);
            Assert.Contains(kept.Length, Boundaries(word));
        }
    }

    [Fact]
    public void AFirstMessageOfThirtyOneEmojiGetsATitleOfWholeEmoji()
    {
        var title = Titles.FromMessage(string.Concat(Enumerable.Repeat("🎉", 31)))!;

        Assert.Equal(string.Concat(Enumerable.Repeat("🎉", 29)) + "…", title);
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public void QuotedTextForTheAgentIsCutBetweenTextElements(string kind, string text)
    {
        var run = string.Concat(Enumerable.Repeat(text, 2100 / text.Length + 1));
        for (var shift = 0; shift < 4; shift++)
        {
            var quoted = new string('q', shift) + run;
            var message = new UserMessageItem
            {
                Id = "msg_1", ThreadId = "thr_1", CreatedAt = DateTime.UtcNow, QuotedText = quoted,
                Content = [new InputText { Text = "what about this?" }],
            };

            var input = TurnInputs.ForAgent(message).Text;

            StrictUtf8.GetBytes(input);
            var kept = input[2..input.IndexOf("…\n\n", StringComparison.Ordinal)];
            Assert.True(kept.Length <= 2000, $"{kind} +{shift}: {kept.Length}");
            Assert.Contains(kept.Length, Boundaries(quoted));
        }
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public void TheAgentsHistoryWindowCutsLongMessagesBetweenTextElements(string kind, string text)
    {
        // From the longest element of these texts (a ZWJ family, 11 code units) up.
        for (var max = 11; max <= 40; max++)
        {
            var options = new TurnOptions { MaxMessageCharacters = max };
            var request = new AgentTurnRequest("thr_1", [new AgentHistoryEntry("user", text), new AgentHistoryEntry("assistant", "x" + text)], new AgentTurnInput("next"));

            var messages = TurnPrompt.Build(request, options, DateTimeOffset.UtcNow);

            foreach (var (message, original) in new[] { (messages[^3], text), (messages[^2], "x" + text) })
            {
                var shown = message.Text;
                StrictUtf8.GetBytes(shown);
                var kept = original.Length <= max ? shown : shown[..^1];
                Assert.True(original.StartsWith(kept, StringComparison.Ordinal), $"{kind} at {max}");
                Assert.Contains(kept.Length, Boundaries(original));
            }
        }
    }

    /// <summary>Every index between two text elements, 0 and the length included.</summary>
    static HashSet<int> Boundaries(string text)
    {
        var boundaries = new HashSet<int> { 0 };
        var enumerator = StringInfo.GetTextElementEnumerator(text);
        while (enumerator.MoveNext()) boundaries.Add(enumerator.ElementIndex + ((string)enumerator.Current).Length);
        return boundaries;
    }
}
