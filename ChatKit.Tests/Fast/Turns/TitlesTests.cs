using ChatKit.ApiService.Turns;

namespace ChatKit.Tests.Fast.Turns;

/// <summary>A thread's title from its first message (emoji and other text elements: Text/TruncationTests).</summary>
public sealed class TitlesTests
{
    [Theory]
    [InlineData("buy milk and eggs", "Buy milk and eggs")]
    [InlineData("  plan\n the   trip\t", "Plan the trip")]
    [InlineData("what's left?!", "What's left")]
    [InlineData("élan vital", "Élan vital")]
    [InlineData("buy milk ...", "Buy milk")]
    public void AShortMessageBecomesTheTitleOnOneLineWithACapitalAndNoEndPunctuation(string message, string title)
    {
        Assert.Equal(title, Titles.FromMessage(message));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \n\t ")]
    [InlineData("?!")]
    [InlineData("?! ...")]
    public void AMessageWithoutWordsGivesNoTitle(string message)
    {
        Assert.Null(Titles.FromMessage(message));
    }

    [Fact]
    public void ALongMessageIsCutAfterTheLastWholeWordThatFitsAndMarkedWithAnEllipsis()
    {
        var message = "please add a task to renew the passport before the summer holidays, and also book the flights to Lisbon";

        var title = Titles.FromMessage(message)!;

        Assert.Equal("Please add a task to renew the passport before the summer…", title);
        Assert.True(title.Length <= Titles.MaxLength);
    }

    [Fact]
    public void PunctuationBeforeTheCutIsDroppedBeforeTheEllipsis()
    {
        var title = Titles.FromMessage("aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee ffff, gggggggggg")!;

        Assert.Equal("Aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee ffff…", title);
    }
}
