using ChatKit.Agent.Tools;

namespace ChatKit.Tests.Fast.Agent;

/// <summary>Forgiving title matching ("the groceries one", "grocries"), as find_tasks and the local model use it.</summary>
public sealed class TaskMatcherTests
{
    static IReadOnlyList<string> Match(string query, params string[] titles) => TaskMatcher.BestMatches(titles, t => t, query);

    [Theory]
    [InlineData("groceries", "buy groceries")]
    [InlineData("grocries", "Buy Groceries")]
    [InlineData("groc", "buy groceries")]
    [InlineData("meetings", "team meeting")]
    [InlineData("the meeting task", "team meeting")]
    [InlineData("dog walk", "walk the dog")]
    [InlineData("CAFE", "Café visit")]
    [InlineData("moms birthday", "Mom's birthday!")]
    [InlineData("buy organic milk", "buy milk")]
    public void ATitleMatchesDespiteCaseAccentsPluralsTyposAndWordOrder(string query, string title)
    {
        Assert.Equal([title], Match(query, title, "pay the electricity bill"));
    }

    [Fact]
    public void ATitleEqualToTheQueryWinsOverTitlesThatOnlyContainIt()
    {
        Assert.Equal(["meeting"], Match("meeting", "team meeting", "meeting", "meeting notes"));
    }

    [Fact]
    public void EquallyGoodMatchesAreAllReturnedInTheirOriginalOrder()
    {
        Assert.Equal(["team meeting", "meeting notes"], Match("meeting", "team meeting", "buy milk", "meeting notes"));
    }

    [Fact]
    public void NumbersMustMatchExactly()
    {
        Assert.Equal(["room 12"], Match("room 12", "room 13", "room 12"));
        Assert.Empty(Match("12", "room 13"));
    }

    [Theory]
    [InlineData("taxes")]
    [InlineData("")]
    [InlineData("  ?! ")]
    public void NothingMatchesWhenNoTitleIsClose(string query)
    {
        Assert.Empty(Match(query, "buy milk", "call mom"));
    }

    [Fact]
    public void WordsDropFillerUnlessNothingElseIsLeft()
    {
        Assert.Equal(["meeting"], TaskMatcher.Words("The meeting task"));
        Assert.Equal(["mom", "birthday"], TaskMatcher.Words("Mom's birthday!"));
        Assert.Equal(["the", "task"], TaskMatcher.Words("the task"));
    }
}
