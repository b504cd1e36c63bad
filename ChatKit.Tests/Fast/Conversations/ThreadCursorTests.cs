using ChatKit.ApiService.Conversations;

namespace ChatKit.Tests.Fast.Conversations;

/// <summary>The REST thread list's activity cursor and the search box's prefix query.</summary>
public sealed class ThreadCursorTests
{
    [Fact]
    public void ACursorRoundTripsWithMicrosecondPrecision()
    {
        var updatedAt = new DateTime(2025, 3, 14, 15, 9, 26, DateTimeKind.Utc).AddTicks(5358979); // .5358979 s

        var encoded = new ActivityCursor(updatedAt, "thr_abc").Encode();

        Assert.True(ActivityCursor.TryParse(encoded, out var cursor));
        Assert.Equal(updatedAt.AddTicks(-9), cursor.UpdatedAt); // PostgreSQL keeps microseconds: the 100 ns digit goes
        Assert.Equal(DateTimeKind.Utc, cursor.UpdatedAt.Kind);
        Assert.Equal("thr_abc", cursor.ThreadId);
        Assert.Equal(encoded, cursor.Encode());
    }

    [Fact]
    public void ACursorIsTheMicrosecondsThenADotThenTheThreadIdWhichMayContainDots()
    {
        Assert.Equal("1.thr_x", new ActivityCursor(new DateTime(10, DateTimeKind.Utc), "thr_x").Encode());
        Assert.True(ActivityCursor.TryParse("1700000000000000.thr.with.dots", out var cursor));
        Assert.Equal("thr.with.dots", cursor.ThreadId);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("thr_abc")]
    [InlineData(".thr_abc")]
    [InlineData("1700000000000000.")]
    [InlineData("-5.thr_abc")]
    [InlineData("+5.thr_abc")]
    [InlineData(" 5.thr_abc")]
    [InlineData("1e5.thr_abc")]
    [InlineData("99999999999999999999.thr_abc")]
    [InlineData("315537897600000000.thr_abc")]
    public void AMalformedOrOutOfRangeCursorIsRefused(string? value)
    {
        Assert.False(ActivityCursor.TryParse(value, out _));
    }

    [Theory]
    [InlineData("buy mil", "'buy':* & 'mil':*")]
    [InlineData("  Trip TO Lisbon ", "'trip':* & 'to':* & 'lisbon':*")]
    [InlineData("o'brien & (x | !y):*", "'o':* & 'brien':* & 'x':* & 'y':*")]
    [InlineData("Café über 2025", "'café':* & 'über':* & '2025':*")]
    [InlineData("a b c d e f g h i j", "'a':* & 'b':* & 'c':* & 'd':* & 'e':* & 'f':* & 'g':* & 'h':*")]
    public void SearchTextBecomesAPrefixQueryOfItsWordsOnly(string text, string query)
    {
        Assert.Equal(query, ThreadStore.ToPrefixQuery(text));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("'&|!():*")]
    public void SearchTextWithoutWordsGivesNoQuery(string? text)
    {
        Assert.Null(ThreadStore.ToPrefixQuery(text));
    }
}
