using System.Text.Json;
using ChatKit.Tests.Fast.Infrastructure;
using ChatKit.Tests.Infrastructure;
using static ChatKit.Tests.Infrastructure.ChatKitCalls;

namespace ChatKit.Tests.Fast.ChatKitProtocol;

/// <summary>
/// Tool calls in a stream against a scripted agent: progress, what reaches the agent (history, mentions), the task
/// list widget and its button, and what the agent says to show.
/// </summary>
public sealed class ToolStreamingTests : IClassFixture<ApiApp>
{
    readonly ApiApp fixture;

    public ToolStreamingTests(ApiApp fixture)
    {
        this.fixture = fixture;
        fixture.Agent.Reset();
    }

    FakeAgent Agent => fixture.Agent;

    [Fact]
    public async Task ToolCallsShowProgressAndTheHistoryAndMentionsReachTheAgent()
    {
        using var http = fixture.CreateClientFor(NewUser("tools"));
        Agent.Script = async turn =>
        {
            await turn.SendAsync(new { type = "tool_call", call_id = "call_1", name = "add_task", arguments = new { title = "buy milk" } });
            await turn.SendAsync(new { type = "tool_result", call_id = "call_1", name = "add_task", result = new { task_id = 7, status = "created", title = "buy milk" } });
            await turn.SendAsync(new { type = "text_delta", delta = "Added “buy milk”." });
            await turn.SendAsync(new { type = "done", text = "Added “buy milk”.", usage = new { input_tokens = 0, output_tokens = 0 } });
        };
        var first = await http.ChatKitStreamAsync("threads.create", new { input = Input("Remember to buy milk") });
        Assert.Equal(
        [
            "thread.created", "thread.item.done", "stream_options", "progress_update",
            "thread.item.added", "thread.item.updated:added", "thread.item.updated:text_delta", "thread.item.updated:done", "thread.item.done",
            "thread.updated",
        ], Collapsed(first));
        var progress = first.Single("progress_update");
        Assert.Equal("Adding “buy milk”…", progress.GetProperty("text").GetString());
        Assert.Equal("plus", progress.GetProperty("icon").GetString());
        Assert.Equal("Added “buy milk”.", first.AssistantText());
        var threadId = first.ThreadId();

        Agent.Script = FakeAgent.DefaultScript;
        var second = await http.ChatKitStreamAsync("threads.add_user_message", new
        {
            thread_id = threadId,
            input = new Dictionary<string, object>
            {
                ["content"] = new object[]
                {
                    new { type = "input_text", text = "complete " },
                    new { type = "input_tag", id = "task_7", text = "buy milk", data = new Dictionary<string, string> { ["task_id"] = "7", ["myKey"] = "As Given" }, interactive = false },
                },
                ["attachments"] = Array.Empty<string>(),
                ["quoted_text"] = "Added “buy milk”.",
                ["inference_options"] = new { tool_choice = new { id = "tasks" }, model = "local" },
            },
        });
        Assert.Equal(
        [
            "thread.item.done", "stream_options",
            "thread.item.added", "thread.item.updated:added", "thread.item.updated:text_delta", "thread.item.updated:done", "thread.item.done",
        ], Collapsed(second));
        var user = second[0].GetProperty("item");
        Assert.Equal(
            """[{"type":"input_text","text":"complete "},{"type":"input_tag","id":"task_7","text":"buy milk","data":{"task_id":"7","myKey":"As Given"},"interactive":false}]""",
            user.GetProperty("content").GetRawText());
        Assert.Equal("Added “buy milk”.", user.GetProperty("quoted_text").GetString());
        Assert.Equal("""{"tool_choice":{"id":"tasks"},"model":"local"}""", user.GetProperty("inference_options").GetRawText());

        var turn = await Agent.LastTurnAsync(2);
        Assert.Equal(
            """[{"role":"user","content":"Remember to buy milk"},{"role":"tool","call_id":"call_1","name":"add_task","arguments":{"title":"buy milk"},"result":{"task_id":7,"status":"created","title":"buy milk"}},{"role":"assistant","content":"Added “buy milk”."}]""",
            Json.Compact(turn.GetProperty("history")));
        Assert.Equal("> Added “buy milk”.\n\ncomplete @buy milk", turn.GetProperty("input").GetProperty("text").GetString());
        Assert.Equal("""[{"id":"task_7","title":"buy milk","task_id":7}]""", Json.Compact(turn.GetProperty("input").GetProperty("mentions")));

        // The tool call is stored for the model but hidden from the client.
        var items = await http.ChatKitJsonAsync("items.list", new { thread_id = threadId, order = "asc" });
        Assert.Equal(["user_message", "assistant_message", "user_message", "assistant_message"],
            items.GetProperty("data").EnumerateArray().Select(i => i.Type()));
    }

    [Fact]
    public async Task ListTasksShowsAWidgetWhoseButtonCompletesTheTaskInPlace()
    {
        using var http = fixture.CreateClientFor(NewUser("widget"));
        Agent.Script = ListTasksScript;
        var completed = new List<long>();
        Agent.CompleteTask = id =>
        {
            lock (completed) completed.Add(id);
            return id == 404 ? null : new { id, title = id == 7 ? "buy milk" : "walk the dog", description = (string?)null, completed = true };
        };

        var events = await http.ChatKitStreamAsync("threads.create", new { input = Input("What is on my list?") });
        Assert.Equal(
        [
            "thread.created", "thread.item.done", "stream_options", "progress_update", "thread.item.done",
            "thread.item.added", "thread.item.updated:added", "thread.item.updated:text_delta", "thread.item.updated:done", "thread.item.done",
            "thread.updated",
        ], Collapsed(events));
        Assert.Equal("Looking at your tasks…", events.Single("progress_update").GetProperty("text").GetString());
        var threadId = events.ThreadId();
        var widgetItem = events[4].GetProperty("item");
        Assert.Equal("widget", widgetItem.Type());
        Assert.Matches("^msg_", widgetItem.GetProperty("id").GetString());
        Assert.Equal("1. [ ] buy milk\n2. [x] walk the dog", widgetItem.GetProperty("copy_text").GetString());
        var widget = widgetItem.GetProperty("widget");
        Assert.Equal("ListView", widget.Type());
        var rows = widget.GetProperty("children");
        Assert.Equal("task_7", rows[0].GetProperty("key").GetString());
        var button = Json.Find(rows[0], "Button");
        Assert.Equal("Complete", button.GetProperty("label").GetString());
        Assert.Equal("""{"type":"complete_task","payload":{"task_id":7}}""", button.GetProperty("onClickAction").GetRawText());
        Assert.Equal("in the park", Json.Find(rows[1], "Caption").GetProperty("value").GetString());
        Assert.Equal(JsonValueKind.Undefined, Json.Find(rows[1], "Button").ValueKind);
        var widgetId = widgetItem.GetProperty("id").GetString()!;

        // The button: custom_action completes the task through the agent and replaces the widget in place.
        var action = await http.ChatKitStreamAsync("threads.custom_action", new
        {
            thread_id = threadId, item_id = widgetId, action = new { type = "complete_task", payload = new { task_id = 7 } },
        });
        Assert.Equal(["stream_options", "thread.item.replaced"], Sequence(action));
        var replaced = action[1].GetProperty("item");
        Assert.Equal(widgetId, replaced.GetProperty("id").GetString());
        var row = replaced.GetProperty("widget").GetProperty("children")[0];
        Assert.Equal(JsonValueKind.Undefined, Json.Find(row, "Button").ValueKind);
        Assert.Equal("check-circle-filled", Json.Find(row, "Icon").GetProperty("name").GetString());
        Assert.True(Json.Find(row, "Text").GetProperty("lineThrough").GetBoolean());
        Assert.Equal("Your tasks · 0 open of 2", replaced.GetProperty("widget").GetProperty("status").GetProperty("text").GetString());
        lock (completed) Assert.Equal([7L], completed);

        // Stored in place: same id, same position.
        var items = await http.ChatKitJsonAsync("items.list", new { thread_id = threadId, order = "asc" });
        Assert.Equal(replaced.GetRawText(), items.GetProperty("data")[1].GetRawText());

        // sync_custom_action answers with the updated item.
        var sync = await http.ChatKitJsonAsync("threads.sync_custom_action", new
        {
            thread_id = threadId, item_id = widgetId, action = new { type = "complete_task", payload = new { task_id = 8 } },
        });
        Assert.Equal(widgetId, sync.GetProperty("updated_item").GetProperty("id").GetString());

        // A task that is gone: an error event the UI shows, no retry.
        var gone = await http.ChatKitStreamAsync("threads.custom_action", new
        {
            thread_id = threadId, item_id = widgetId, action = new { type = "complete_task", payload = new { task_id = 404 } },
        });
        Assert.Equal(["stream_options", "error"], Sequence(gone));
        Assert.Equal("custom", gone[1].GetProperty("code").GetString());
        Assert.False(gone[1].GetProperty("allow_retry").GetBoolean());

        // An action from an item that is not a widget: stream.error without retry (a4).
        var userMessageId = events[1].GetProperty("item").GetProperty("id").GetString();
        var notWidget = await http.ChatKitStreamAsync("threads.custom_action", new
        {
            thread_id = threadId, item_id = userMessageId, action = new { type = "complete_task", payload = new { task_id = 7 } },
        });
        Assert.Equal("""[{"type":"error","code":"stream.error","allow_retry":false}]""", "[" + string.Join(",", notWidget.Select(e => e.GetRawText())) + "]");

        // The model hears about the click in the next turn's history.
        Agent.Script = FakeAgent.DefaultScript;
        await http.ChatKitStreamAsync("threads.add_user_message", new { thread_id = threadId, input = Input("thanks") });
        var history = (await Agent.LastTurnAsync(2)).GetProperty("history").EnumerateArray().ToList();
        Assert.Contains(history, h => h.GetProperty("role").GetString() == "tool" && h.GetProperty("name").GetString() == "complete_task"
                                      && h.GetProperty("arguments").GetProperty("task_id").GetInt64() == 7);
    }

    [Fact]
    public async Task ProgressSaysWhatEachToolDoesAndACutListSaysSo()
    {
        using var http = fixture.CreateClientFor(NewUser("progress"));
        Agent.Script = async turn =>
        {
            await turn.SendAsync(new { type = "tool_call", call_id = "c1", name = "find_tasks", arguments = new { query = "milk" } });
            await turn.SendAsync(new { type = "tool_result", call_id = "c1", name = "find_tasks", result = new { status = "found", tasks = Array.Empty<object>(), total = 0 } });
            await turn.SendAsync(new { type = "tool_call", call_id = "c2", name = "complete_task", arguments = new { task_id = 12345 } });
            await turn.SendAsync(new { type = "tool_result", call_id = "c2", name = "complete_task", result = new { status = "error", code = "not_found", message = "No such task." } });
            await turn.SendAsync(new { type = "tool_call", call_id = "c3", name = "list_tasks", arguments = new { status = "pending" } });
            await turn.SendAsync(new
            {
                type = "tool_result", call_id = "c3", name = "list_tasks",
                result = new { status = "listed", filter = "pending", total = 240, tasks = new object[] { new { task_id = 1, title = "a", completed = false, position = 1 } } },
            });
            await turn.SendAsync(new { type = "done", text = "Done.", usage = new { input_tokens = 0, output_tokens = 0 } });
        };
        var events = await http.ChatKitStreamAsync("threads.create", new { input = Input("tidy up") });
        Assert.Equal(["Looking for “milk”…", "Completing the task…", "Looking at your open tasks…"],
            events.Where(e => e.Type() == "progress_update").Select(e => e.GetProperty("text").GetString()));
        var widget = events.Single(e => e.Type() == "thread.item.done" && e.GetProperty("item").Type() == "widget").GetProperty("item");
        Assert.Equal("Your tasks · 1 shown of 240", widget.GetProperty("widget").GetProperty("status").GetProperty("text").GetString());
        Assert.Equal("Done.", events.AssistantText());
    }

    [Fact]
    public async Task WhatTheAgentSaysToShowIsShownWhateverTheTool()
    {
        using var http = fixture.CreateClientFor(NewUser("display"));
        Agent.Script = async turn =>
        {
            await turn.SendAsync(new { type = "tool_call", call_id = "c1", name = "plan_week", arguments = new { }, display = new { icon = "calendar", text = "Planning your week…" } });
            await turn.SendAsync(new
            {
                type = "tool_result", call_id = "c1", name = "plan_week", result = new { status = "planned" },
                task_list = new { tasks = new object[] { new { task_id = 3, title = "gym", completed = false } }, total = 1 },
            });
            await turn.SendAsync(new { type = "tool_call", call_id = "c2", name = "list_tasks", arguments = new { }, display = new { icon = "notebook", text = "Peeking…" } });
            await turn.SendAsync(new { type = "tool_result", call_id = "c2", name = "list_tasks", result = new { status = "listed", tasks = Array.Empty<object>(), total = 0 }, task_list = (object?)null });
            await turn.SendAsync(new { type = "keep_alive" });
            await turn.SendAsync(new { type = "done", text = "Planned.", usage = new { input_tokens = 0, output_tokens = 0 } });
        };

        var events = await http.ChatKitStreamAsync("threads.create", new { input = Input("plan my week") });

        Assert.Equal([("calendar", "Planning your week…"), ("notebook", "Peeking…")],
            events.Where(e => e.Type() == "progress_update").Select(e => (e.GetProperty("icon").GetString(), e.GetProperty("text").GetString())));
        var widget = Assert.Single(events, e => e.Type() == "thread.item.done" && e.GetProperty("item").Type() == "widget").GetProperty("item");
        Assert.Equal("1. [ ] gym", widget.GetProperty("copy_text").GetString());
        Assert.Equal("Planned.", events.AssistantText());
    }

    internal static async Task ListTasksScript(FakeTurn turn)
    {
        await turn.SendAsync(new { type = "tool_call", call_id = "call_9", name = "list_tasks", arguments = new { filter = "all" } });
        await turn.SendAsync(new
        {
            type = "tool_result", call_id = "call_9", name = "list_tasks",
            result = new
            {
                status = "listed", filter = "all",
                tasks = new object[]
                {
                    new { task_id = 7, title = "buy milk", completed = false, position = 1 },
                    new { task_id = 8, title = "walk the dog", description = "in the park", completed = true, position = 2 },
                },
            },
        });
        await turn.SendAsync(new { type = "text_delta", delta = "Here are your tasks." });
        await turn.SendAsync(new { type = "done", text = "Here are your tasks.", usage = new { input_tokens = 0, output_tokens = 0 } });
    }
}
