using System.Text.Json;
using ChatKit.Tests.Infrastructure;
using static ChatKit.Tests.Infrastructure.ChatKitCalls;

namespace ChatKit.Tests.ChatKitProtocol;

/// <summary>
/// The streaming operations replayed against a scripted agent: event order and JSON shapes as in
/// docs/chatkit-protocol.md a4/a6/a7, what reaches the agent, and what is stored.
/// </summary>
[Collection(FakeAgentCollection.Name)]
public sealed class StreamingTests
{
    readonly FakeAgentFixture fixture;

    public StreamingTests(FakeAgentFixture fixture)
    {
        this.fixture = fixture;
        fixture.Agent.Reset();
    }

    FakeAgent Agent => fixture.Agent;

    [Fact]
    public async Task ThreadsCreateStreamsTheReferenceEventOrderAndShapes()
    {
        using var http = fixture.CreateClientFor(NewUser("create"));
        var events = await http.ChatKitStreamAsync("threads.create", new { input = Input("Plan my week please") });

        Assert.Equal(
        [
            "thread.created", "thread.item.done", "stream_options",
            "thread.item.added", "thread.item.updated:added", "thread.item.updated:text_delta", "thread.item.updated:done", "thread.item.done",
            "thread.updated",
        ], Collapsed(events));
        events.ForEach(Json.AssertNoNulls);

        var thread = events[0].GetProperty("thread");
        var threadId = thread.GetProperty("id").GetString()!;
        Assert.Matches("^thr_[0-9a-f]{24}$", threadId);
        Assert.False(thread.TryGetProperty("title", out _));
        Assert.Equal("""{"type":"active"}""", thread.GetProperty("status").GetRawText());
        Assert.Equal("{}", thread.GetProperty("metadata").GetRawText());
        Assert.Equal("""{"data":[],"has_more":false}""", thread.GetProperty("items").GetRawText());
        Json.AssertUtc(thread.GetProperty("created_at"));

        var user = events[1].GetProperty("item");
        Assert.Equal("user_message", user.Type());
        Assert.Matches("^msg_[0-9a-f]{24}$", user.GetProperty("id").GetString());
        Assert.Equal(threadId, user.GetProperty("thread_id").GetString());
        Assert.Equal("""[{"type":"input_text","text":"Plan my week please"}]""", user.GetProperty("content").GetRawText());
        Assert.Equal("[]", user.GetProperty("attachments").GetRawText());
        Assert.Equal("{}", user.GetProperty("inference_options").GetRawText());
        Assert.False(user.TryGetProperty("quoted_text", out _));
        Json.AssertUtc(user.GetProperty("created_at"));

        Assert.Equal("""{"type":"stream_options","stream_options":{"allow_cancel":true}}""", events[2].GetRawText());

        var added = events[3].GetProperty("item");
        Assert.Equal("assistant_message", added.Type());
        Assert.Equal("[]", added.GetProperty("content").GetRawText());
        var assistantId = added.GetProperty("id").GetString()!;
        var partAdded = events[4];
        Assert.Equal(assistantId, partAdded.GetProperty("item_id").GetString());
        Assert.Equal(0, partAdded.GetProperty("update").GetProperty("content_index").GetInt32());
        Assert.Equal("""{"type":"output_text","text":"","annotations":[]}""", partAdded.GetProperty("update").GetProperty("content").GetRawText());

        var deltas = events.Where(e => e.Type() == "thread.item.updated" && e.GetProperty("update").Type().EndsWith("text_delta"))
            .Select(e => e.GetProperty("update").GetProperty("delta").GetString());
        Assert.Equal("Hello there.", string.Concat(deltas));
        var partDone = events.Single(e => e.Type() == "thread.item.updated" && e.GetProperty("update").Type().EndsWith(".done"));
        Assert.Equal("Hello there.", partDone.GetProperty("update").GetProperty("content").GetProperty("text").GetString());

        var done = events[^2].GetProperty("item");
        Assert.Equal(assistantId, done.GetProperty("id").GetString());
        Assert.Equal("""[{"type":"output_text","text":"Hello there.","annotations":[]}]""", done.GetProperty("content").GetRawText());

        var updated = events[^1].GetProperty("thread");
        Assert.Equal(threadId, updated.GetProperty("id").GetString());
        Assert.Equal("Plan my week please", updated.GetProperty("title").GetString());

        var (turn, authorization) = Agent.Turns.Single();
        Assert.Equal(threadId, turn.GetProperty("thread_id").GetString());
        Assert.Equal("[]", turn.GetProperty("history").GetRawText());
        Assert.Equal("""{"text":"Plan my week please"}""", turn.GetProperty("input").GetRawText());
        Assert.StartsWith("Bearer ey", authorization);

        // Stored as streamed: get_by_id returns both items, oldest first, exactly as they were sent.
        var stored = await http.ChatKitJsonAsync("threads.get_by_id", new { thread_id = threadId });
        Assert.Equal("Plan my week please", stored.GetProperty("title").GetString());
        var items = stored.GetProperty("items").GetProperty("data");
        Assert.Equal(user.GetRawText(), items[0].GetRawText());
        Assert.Equal(done.GetRawText(), items[1].GetRawText());
    }

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

    [Fact]
    public async Task EventsReadyBeforeTheAgentAnswersReachTheClientWhileItIsStillThinking()
    {
        // Events are batched into one write while they are ready together; what is ready before the agent's first
        // event must still reach the client while the agent works, not when the turn ends.
        using var http = fixture.CreateClientFor(NewUser("early"));
        var release = new TaskCompletionSource();
        Agent.Script = async turn =>
        {
            await release.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await FakeAgent.DefaultScript(turn);
        };
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/chatkit")
            {
                Content = JsonContent.Create(new Dictionary<string, object> { ["type"] = "threads.create", ["params"] = new { input = Input("Think first") } }),
            };
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            await using var stream = await response.Content.ReadAsStreamAsync();
            var seen = new List<string>();
            await foreach (var e in ReadEventsLiveAsync(stream))
            {
                seen.Add(e.Type());
                if (e.Type() == "stream_options")
                {
                    Assert.False(release.Task.IsCompleted);
                    Assert.Equal(["thread.created", "thread.item.done", "stream_options"], seen);
                    release.TrySetResult();
                }
            }
            Assert.True(release.Task.IsCompleted, "the stream ended without its first events arriving early");
            Assert.Equal("thread.updated", seen[^1]);
        }
        finally
        {
            release.TrySetResult();
        }
    }

    [Fact]
    public async Task StoppingTheStreamKeepsThePartialAnswerAndTellsTheModelNextTime()
    {
        using var http = fixture.CreateClientFor(NewUser("stop"));
        var created = await http.ChatKitStreamAsync("threads.create", new { input = Input("Tell me a long story") });
        var threadId = created.ThreadId();

        var release = new TaskCompletionSource();
        // A model that keeps talking until the API hangs up on it.
        Agent.Script = async turn =>
        {
            await turn.SendAsync(new { type = "text_delta", delta = "Once upon a time" });
            while (!release.Task.IsCompleted)
            {
                await Task.Delay(100);
                await turn.SendAsync(new { type = "text_delta", delta = "." });
            }
        };
        try
        {
            using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/chatkit"))
            {
                request.Content = JsonContent.Create(new Dictionary<string, object>
                {
                    ["type"] = "threads.add_user_message", ["params"] = new { thread_id = threadId, input = Input("Another one") },
                });
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                await using var stream = await response.Content.ReadAsStreamAsync();
                await foreach (var e in ReadEventsLiveAsync(stream))
                {
                    if (e.Type() == "thread.item.updated" && e.GetProperty("update").Type().EndsWith("text_delta")) break;
                }
            } // the Stop button: the request is aborted mid-answer

            var partial = await Eventually(async () =>
            {
                var items = await http.ChatKitJsonAsync("items.list", new { thread_id = threadId });
                var newest = items.GetProperty("data")[0];
                return newest.Type() == "assistant_message" ? newest : (JsonElement?)null;
            });
            Assert.StartsWith("Once upon a time", partial.GetProperty("content")[0].GetProperty("text").GetString());
        }
        finally
        {
            release.TrySetResult();
        }

        Agent.Script = FakeAgent.DefaultScript;
        await http.ChatKitStreamAsync("threads.add_user_message", new { thread_id = threadId, input = Input("Go on") });
        var history = (await Agent.LastTurnAsync(3)).GetProperty("history").EnumerateArray().ToList();
        Assert.Equal(["user", "assistant", "user", "assistant", "note"], history.Select(h => h.GetProperty("role").GetString()));
        Assert.Equal("Another one", history[2].GetProperty("content").GetString());
        Assert.StartsWith("Once upon a time", history[3].GetProperty("content").GetString());
        Assert.Equal("The user cancelled the stream. Stop responding to the prior request.", history[4].GetProperty("content").GetString());
    }

    [Fact]
    public async Task AnAgentErrorEndsTheStreamWithAnErrorEventKeepsTheMessageAndRetryAnswersIt()
    {
        using var http = fixture.CreateClientFor(NewUser("agent-error"));
        var created = await http.ChatKitStreamAsync("threads.create", new { input = Input("Hi") });
        var threadId = created.ThreadId();

        Agent.Script = async turn =>
        {
            await turn.SendAsync(new { type = "text_delta", delta = "Let me" });
            await turn.SendAsync(new { type = "error", code = "model_unavailable", message = "The model is down.", retryable = true });
        };
        var failed = await http.ChatKitStreamAsync("threads.add_user_message", new { thread_id = threadId, input = Input("Add eggs") });
        Assert.Equal(
            ["thread.item.done", "stream_options", "thread.item.added", "thread.item.updated:added", "thread.item.updated:text_delta", "error"],
            Collapsed(failed));
        Assert.Equal("""{"type":"error","code":"custom","message":"The model is down.","allow_retry":true}""", failed[^1].GetRawText());
        var userMessageId = failed[0].GetProperty("item").GetProperty("id").GetString()!;

        var kept = await http.ChatKitJsonAsync("items.list", new { thread_id = threadId });
        Assert.Equal(userMessageId, kept.GetProperty("data")[0].GetProperty("id").GetString());

        // The UI's retry button.
        Agent.Script = FakeAgent.DefaultScript;
        var retried = await http.ChatKitStreamAsync("threads.retry_after_item", new { thread_id = threadId, item_id = userMessageId });
        Assert.Equal(
        [
            "stream_options", "thread.item.added", "thread.item.updated:added", "thread.item.updated:text_delta",
            "thread.item.updated:done", "thread.item.done",
        ], Collapsed(retried));
        var turn = await Agent.LastTurnAsync(3);
        Assert.Equal("Add eggs", turn.GetProperty("input").GetProperty("text").GetString());
        Assert.Equal(2, turn.GetProperty("history").GetArrayLength());
        var items = await http.ChatKitJsonAsync("items.list", new { thread_id = threadId, order = "asc" });
        Assert.Equal(["user_message", "assistant_message", "user_message", "assistant_message"],
            items.GetProperty("data").EnumerateArray().Select(i => i.Type()));
    }

    [Fact]
    public async Task RetryAfterItemDropsEverythingAfterTheMessageSilently()
    {
        using var http = fixture.CreateClientFor(NewUser("retry"));
        var created = await http.ChatKitStreamAsync("threads.create", new { input = Input("First") });
        var threadId = created.ThreadId();
        var firstId = created[1].GetProperty("item").GetProperty("id").GetString();
        await http.ChatKitStreamAsync("threads.add_user_message", new { thread_id = threadId, input = Input("Second") });

        var retried = await http.ChatKitStreamAsync("threads.retry_after_item", new { thread_id = threadId, item_id = firstId });
        Assert.DoesNotContain(retried, e => e.Type() == "thread.item.removed");
        Assert.Equal("stream_options", retried[0].Type());
        var items = (await http.ChatKitJsonAsync("items.list", new { thread_id = threadId, order = "asc" })).GetProperty("data");
        Assert.Equal(2, items.GetArrayLength());
        Assert.Equal(firstId, items[0].GetProperty("id").GetString());
        Assert.Equal(retried[^1].GetProperty("item").GetProperty("id").GetString(), items[1].GetProperty("id").GetString());

        var assistantId = items[1].GetProperty("id").GetString();
        using var notUser = await http.ChatKitAsync("threads.retry_after_item", new { thread_id = threadId, item_id = assistantId });
        Assert.Equal("not_a_user_message", (await notUser.ProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString());
        using var unknown = await http.ChatKitAsync("threads.retry_after_item", new { thread_id = threadId, item_id = "msg_000000000000000000000000" });
        await unknown.ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AddingAMessageToAnUntitledThreadTitlesIt()
    {
        using var http = fixture.CreateClientFor(NewUser("title"));
        using var created = await http.PostAsync("/api/chatkit/threads", null);
        var threadId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        var events = await http.ChatKitStreamAsync("threads.add_user_message", new
        {
            thread_id = threadId, input = Input("please   organise the garage and the attic before the weekend visit"),
        });
        var title = events[^1].GetProperty("thread").GetProperty("title").GetString();
        Assert.Equal("thread.updated", events[^1].Type());
        Assert.Equal("Please organise the garage and the attic before the weekend…", title);

        var renamed = await http.ChatKitJsonAsync("threads.update", new { thread_id = threadId, title = "Garage" });
        Assert.Equal("Garage", renamed.GetProperty("title").GetString());
        Assert.Equal("""{"data":[],"has_more":false}""", renamed.GetProperty("items").GetRawText());
        var again = await http.ChatKitStreamAsync("threads.add_user_message", new { thread_id = threadId, input = Input("and the shed") });
        Assert.DoesNotContain(again, e => e.Type() == "thread.updated");
    }

    static async Task<JsonElement> Eventually(Func<Task<JsonElement?>> probe)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            if (await probe() is { } found) return found;
            if (DateTime.UtcNow > deadline) Assert.Fail("the condition did not become true within 10 s");
            await Task.Delay(250); // gently: the ChatKit endpoint is rate-limited per user
        }
    }
}
