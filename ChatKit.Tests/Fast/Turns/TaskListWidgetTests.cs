using System.Text.Json;
using ChatKit.Agent.Contracts;
using ChatKit.ApiService.ChatKit.Widgets;
using static ChatKit.ApiService.ChatKit.Widgets.TaskListWidget;

namespace ChatKit.Tests.Fast.Turns;

/// <summary>The task list widget shown when the agent lists tasks: its rows, its Complete buttons, and a row completed in place.</summary>
public sealed class TaskListWidgetTests
{
    static readonly TaskListRow Milk = new(7, "buy milk", "2 liters", Completed: false);
    static readonly TaskListRow Mom = new(9, "call mom", null, Completed: true);

    [Fact]
    public void EachTaskIsARowAndOnlyOpenTasksHaveACompleteButtonCarryingTheirId()
    {
        var (widget, copy) = Render([Milk, Mom], total: 2);

        var root = Parse(widget);
        Assert.Equal("ListView", root.GetProperty("type").GetString());
        Assert.Equal("Your tasks · 1 open of 2", root.GetProperty("status").GetProperty("text").GetString());
        var rows = root.GetProperty("children").EnumerateArray().ToList();
        Assert.Equal(["task_7", "task_9"], rows.Select(r => r.GetProperty("key").GetString()));

        var button = Trailing(rows[0]);
        Assert.Equal("Button", button.GetProperty("type").GetString());
        Assert.Equal(CompleteAction, button.GetProperty("onClickAction").GetProperty("type").GetString());
        Assert.Equal(7, button.GetProperty("onClickAction").GetProperty("payload").GetProperty("task_id").GetInt64());
        Assert.Contains("\"Caption\",\"value\":\"2 liters\"", widget.ToString());

        Assert.Equal("Badge", Trailing(rows[1]).GetProperty("type").GetString());
        Assert.Contains("\"value\":\"call mom\",\"size\":\"sm\",\"weight\":\"medium\",\"lineThrough\":true", widget.ToString());
        Assert.DoesNotContain("null", widget.ToString());

        Assert.Equal("1. [ ] buy milk\n2. [x] call mom", copy);
    }

    [Fact]
    public void AnEmptyListSaysSo()
    {
        var (widget, copy) = Render([], total: 0);

        var root = Parse(widget);
        Assert.Equal("Your tasks", root.GetProperty("status").GetProperty("text").GetString());
        Assert.Equal("empty", Assert.Single(root.GetProperty("children").EnumerateArray()).GetProperty("key").GetString());
        Assert.Equal("No tasks.", copy);
    }

    [Fact]
    public void ACutListSaysHowManyWereShownOfHowMany()
    {
        var (widget, _) = Render([Milk, Mom], total: 240);

        Assert.Equal("Your tasks · 2 shown of 240", Parse(widget).GetProperty("status").GetProperty("text").GetString());
    }

    [Fact]
    public void CompletingARowReplacesItWithADoneRowAndCountsAgain()
    {
        var (widget, _) = Render([Milk, Mom], total: 2);

        var updated = MarkCompleted(widget, Milk with { Title = "buy oat milk" });

        Assert.NotNull(updated);
        var root = Parse(updated.Value);
        Assert.Equal("Your tasks · 0 open of 2", root.GetProperty("status").GetProperty("text").GetString());
        var row = root.GetProperty("children")[0];
        Assert.Equal("task_7", row.GetProperty("key").GetString());
        Assert.Equal("Badge", Trailing(row).GetProperty("type").GetString());
        Assert.Contains("\"value\":\"buy oat milk\",\"size\":\"sm\",\"weight\":\"medium\",\"lineThrough\":true", updated.Value.ToString());
        Assert.Equal(Render([Milk with { Title = "buy oat milk", Completed = true }, Mom], total: 2).Widget.ToString(), updated.Value.ToString());
    }

    [Fact]
    public void CompletingARowOfACutListKeepsItsHeader()
    {
        var (widget, _) = Render([Milk, Mom], total: 240);

        var updated = MarkCompleted(widget, Milk)!.Value;

        Assert.Equal("Your tasks · 2 shown of 240", Parse(updated).GetProperty("status").GetProperty("text").GetString());
    }

    [Fact]
    public void CompletingATaskTheWidgetDoesNotShowChangesNothing()
    {
        var (widget, _) = Render([Milk], total: 1);

        Assert.Null(MarkCompleted(widget, new TaskListRow(8, "other", null, false)));
    }

    [Theory]
    [InlineData("""{"task_id":42}""", 42)]
    [InlineData("""{"task_id":"42"}""", 42)]
    [InlineData("""{"id":42}""", 42)]
    public void TheTaskIdOfAnActionPayloadIsReadAsANumberOrAString(string payload, long expected)
    {
        Assert.True(TryGetTaskId(RawJson.FromString(payload), out var id));
        Assert.Equal(expected, id);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"task_id":"forty-two"}""")]
    [InlineData("""{"task_id":4.5}""")]
    [InlineData("""{"task_id":null}""")]
    [InlineData("[42]")]
    [InlineData("{not json")]
    public void APayloadWithoutAUsableTaskIdIsRefused(string payload)
    {
        Assert.False(TryGetTaskId(RawJson.FromString(payload), out _));
    }

    static JsonElement Parse(RawJson json) => JsonDocument.Parse(json.Utf8).RootElement.Clone();

    /// <summary>A row's last part: the Complete button or the Done badge.</summary>
    static JsonElement Trailing(JsonElement row) => row.GetProperty("children").EnumerateArray().Last();
}
