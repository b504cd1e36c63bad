using System.Text.Json;
using ChatKit.Agent.Tools;

namespace ChatKit.Tests.Fast.Agent;

/// <summary>What the user sees of each task tool (the agent says it in the turn's events; the API only shows it).</summary>
public sealed class ToolViewsTests
{
    [Theory]
    [InlineData("add_task", """{"title":"buy milk"}""", "plus", "Adding “buy milk”…")]
    [InlineData("add_task", "{}", "plus", "Adding a task…")]
    [InlineData("list_tasks", """{"status":"pending"}""", "notebook", "Looking at your open tasks…")]
    [InlineData("list_tasks", """{"status":"completed"}""", "notebook", "Looking at your completed tasks…")]
    [InlineData("list_tasks", "{}", "notebook", "Looking at your tasks…")]
    [InlineData("find_tasks", """{"query":"milk"}""", "search", "Looking for “milk”…")]
    [InlineData("complete_task", """{"task_id":12345}""", "check-circle", "Completing the task…")]
    [InlineData("reopen_task", """{"task_id":1}""", "reload", "Reopening the task…")]
    [InlineData("update_task", """{"task_id":1,"title":"oat milk"}""", "write", "Renaming the task to “oat milk”…")]
    [InlineData("update_task", """{"task_id":1,"description":"2 litres"}""", "write", "Updating the task…")]
    [InlineData("delete_task", """{"task_id":1}""", "dots-horizontal", "Deleting the task…")]
    [InlineData("delete_completed_tasks", "{}", "dots-horizontal", "Clearing completed tasks…")]
    [InlineData("something_new", "[1]", "sparkle", "Working on it…")]
    public void EachToolSaysWhatItIsDoingWithoutShowingTaskIds(string tool, string arguments, string icon, string text)
    {
        Assert.Equal((icon, text), ToolViews.Progress(tool, JsonDocument.Parse(arguments).RootElement));
    }

    [Theory]
    [InlineData("list_tasks", """{"status":"listed","tasks":[],"total":0}""", true)]
    [InlineData("list_tasks", """{"status":"error","code":"unavailable","message":"down"}""", false)]
    [InlineData("find_tasks", """{"status":"found","tasks":[],"total":0}""", false)]
    [InlineData("add_task", """{"task_id":7,"status":"created","title":"milk"}""", false)]
    public void OnlyAListOfTasksIsShownAsATaskList(string tool, string result, bool shown)
    {
        Assert.Equal(shown, ToolViews.ShowsTaskList(tool, JsonDocument.Parse(result).RootElement));
    }
}
