using System.Text.Json;
using ChatKit.Tests.Fast.Infrastructure;
using ChatKit.Tests.Infrastructure;
using Npgsql;
using static ChatKit.Tests.Infrastructure.ChatKitCalls;

namespace ChatKit.Tests.Fast.ChatKitProtocol;

/// <summary>
/// The JSON operations and the continuation ops (client tool output, structured input): paging as a6 says
/// (has_more/after, desc by default, get_by_id oldest first), hidden items left out, feedback stored.
/// </summary>
public sealed class JsonOperationTests : IClassFixture<ApiApp>
{
    readonly ApiApp fixture;

    public JsonOperationTests(ApiApp fixture)
    {
        this.fixture = fixture;
        fixture.Agent.Reset();
    }

    [Fact]
    public async Task ThreadsListPagesNewestFirstByDefaultAndAscendingOnRequest()
    {
        using var http = fixture.CreateClientFor(NewUser("threads"));
        var ids = new List<string>();
        foreach (var title in new[] { "one", "two", "three" })
        {
            ids.Add((await http.ChatKitStreamAsync("threads.create", new { input = Input($"thread {title}") })).ThreadId());
        }

        var first = await http.ChatKitJsonAsync("threads.list", new { limit = 2 });
        Assert.Equal([ids[2], ids[1]], first.Ids());
        Assert.True(first.GetProperty("has_more").GetBoolean());
        Assert.Equal(ids[1], first.GetProperty("after").GetString());
        var thread = first.GetProperty("data")[0];
        Assert.Equal("Thread three", thread.GetProperty("title").GetString());
        Assert.Equal("""{"data":[],"has_more":false}""", thread.GetProperty("items").GetRawText());
        Assert.Equal("{}", thread.GetProperty("metadata").GetRawText());
        Json.AssertNoNulls(first);

        var rest = await http.ChatKitJsonAsync("threads.list", new { limit = 2, after = ids[1] });
        Assert.Equal([ids[0]], rest.Ids());
        Assert.False(rest.GetProperty("has_more").GetBoolean());
        Assert.False(rest.TryGetProperty("after", out _));

        var ascending = await http.ChatKitJsonAsync("threads.list", new { order = "asc", limit = 2 });
        Assert.Equal([ids[0], ids[1]], ascending.Ids());
        Assert.Equal([ids[2]], (await http.ChatKitJsonAsync("threads.list", new { order = "asc", after = ids[1] })).Ids());
        Assert.Equal(3, (await http.ChatKitJsonAsync("threads.list", new { })).GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task ItemsListPagesBothWaysGetByIdStartsWithTheOldestAndHiddenItemsStayHidden()
    {
        using var http = fixture.CreateClientFor(NewUser("items"));
        fixture.Agent.Script = ToolStreamingTests.ListTasksScript; // a tool call: a hidden item and a widget
        var created = await http.ChatKitStreamAsync("threads.create", new { input = Input("first") });
        var threadId = created.ThreadId();
        fixture.Agent.Script = FakeAgent.DefaultScript;
        await http.ChatKitStreamAsync("threads.add_user_message", new { thread_id = threadId, input = Input("second") });
        await http.ChatKitStreamAsync("threads.add_user_message", new { thread_id = threadId, input = Input("third") });

        // Visible: user, widget, assistant, user, assistant, user, assistant (the tool call is stored but hidden).
        var all = await http.ChatKitJsonAsync("items.list", new { thread_id = threadId, order = "asc", limit = 100 });
        var visible = all.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(["user_message", "widget", "assistant_message", "user_message", "assistant_message", "user_message", "assistant_message"],
            visible.Select(i => i.Type()));
        var ids = visible.Select(i => i.GetProperty("id").GetString()!).ToList();
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM thread_items WHERE thread_id = $1 AND type = 'hidden_context_item'", threadId));

        var newest = await http.ChatKitJsonAsync("items.list", new { thread_id = threadId, limit = 3 });
        Assert.Equal([ids[6], ids[5], ids[4]], newest.Ids());
        Assert.True(newest.GetProperty("has_more").GetBoolean());
        Assert.Equal(ids[4], newest.GetProperty("after").GetString());
        var older = await http.ChatKitJsonAsync("items.list", new { thread_id = threadId, limit = 3, after = ids[4] });
        Assert.Equal([ids[3], ids[2], ids[1]], older.Ids());
        var oldest = await http.ChatKitJsonAsync("items.list", new { thread_id = threadId, limit = 3, after = ids[1] });
        Assert.Equal([ids[0]], oldest.Ids());
        Assert.False(oldest.GetProperty("has_more").GetBoolean());
        Assert.False(oldest.TryGetProperty("after", out _));

        var forward = await http.ChatKitJsonAsync("items.list", new { thread_id = threadId, order = "asc", limit = 4, after = ids[1] });
        Assert.Equal(ids[2..6], forward.Ids());

        var byId = await http.ChatKitJsonAsync("threads.get_by_id", new { thread_id = threadId });
        Assert.Equal(ids, byId.GetProperty("items").Ids());
        Assert.Equal("First", byId.GetProperty("title").GetString());
        Json.AssertNoNulls(byId);
    }

    [Fact]
    public async Task GetByIdReturnsTheOldestTwentyItems()
    {
        using var http = fixture.CreateClientFor(NewUser("twenty"));
        var threadId = (await http.ChatKitStreamAsync("threads.create", new { input = Input("message 0") })).ThreadId();
        for (var i = 1; i < 11; i++)
        {
            await http.ChatKitStreamAsync("threads.add_user_message", new { thread_id = threadId, input = Input($"message {i}") });
        }
        var thread = await http.ChatKitJsonAsync("threads.get_by_id", new { thread_id = threadId });
        var items = thread.GetProperty("items");
        Assert.Equal(20, items.GetProperty("data").GetArrayLength());
        Assert.Equal("message 0", items.GetProperty("data")[0].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.True(items.GetProperty("has_more").GetBoolean());
        Assert.Equal(items.GetProperty("data")[19].GetProperty("id").GetString(), items.GetProperty("after").GetString());
    }

    [Fact]
    public async Task FeedbackIsStoredOnTheItems()
    {
        using var http = fixture.CreateClientFor(NewUser("feedback"));
        var events = await http.ChatKitStreamAsync("threads.create", new { input = Input("rate me") });
        var threadId = events.ThreadId();
        var assistantId = events[^2].GetProperty("item").GetProperty("id").GetString()!;

        var reply = await http.ChatKitJsonAsync("items.feedback", new { thread_id = threadId, item_ids = new[] { assistantId }, kind = "negative" });
        Assert.Equal("{}", reply.GetRawText());
        Assert.Equal("negative", await ScalarAsync<string>("SELECT feedback FROM thread_items WHERE id = $1", assistantId));
        await http.ChatKitJsonAsync("items.feedback", new { thread_id = threadId, item_ids = new[] { assistantId }, kind = "positive" });
        Assert.Equal("positive", await ScalarAsync<string>("SELECT feedback FROM thread_items WHERE id = $1", assistantId));
    }

    [Fact]
    public async Task DeletingAThreadDeletesItsItems()
    {
        using var http = fixture.CreateClientFor(NewUser("delete"));
        var threadId = (await http.ChatKitStreamAsync("threads.create", new { input = Input("bye") })).ThreadId();
        Assert.Equal("{}", (await http.ChatKitJsonAsync("threads.delete", new { thread_id = threadId })).GetRawText());
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM thread_items WHERE thread_id = $1", threadId));
        using var gone = await http.ChatKitAsync("threads.get_by_id", new { thread_id = threadId });
        await gone.ProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(0, (await http.ChatKitJsonAsync("threads.list", new { })).GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task ClientToolOutputCompletesThePendingCallAndTheAgentContinuesWithIt()
    {
        var user = NewUser("client-tool");
        using var http = fixture.CreateClientFor(user);
        var threadId = (await http.ChatKitStreamAsync("threads.create", new { input = Input("what is selected?") })).ThreadId();

        using (var none = await http.ChatKitAsync("threads.add_client_tool_output", new { thread_id = threadId, result = new { } }))
        {
            Assert.Equal("no_pending_tool_call", (await none.ProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString());
        }

        var callId = await fixture.InsertItemAsync(user, threadId, "client_tool_call",
            """{"type":"client_tool_call","id":"{id}","thread_id":"{thread}","created_at":"2026-01-01T00:00:00Z","status":"pending","call_id":"call_42","name":"get_selection","arguments":{"project":"p1"}}""");
        var events = await http.ChatKitStreamAsync("threads.add_client_tool_output", new { thread_id = threadId, result = new { selection = new[] { "A", "B" } } });
        Assert.Equal(["stream_options", "thread.item.added"], Sequence(events).Take(2));
        Assert.Equal("Hello there.", events.AssistantText());

        var stored = await ScalarAsync<string>("SELECT data::text FROM thread_items WHERE id = $1", callId);
        var item = JsonDocument.Parse(stored!).RootElement;
        Assert.Equal("completed", item.GetProperty("status").GetString());
        Assert.Equal("""{"selection":["A","B"]}""", item.GetProperty("output").GetRawText());

        var turn = await fixture.Agent.LastTurnAsync(2);
        var tool = turn.GetProperty("history").EnumerateArray().Last();
        Assert.Equal("""{"role":"tool","call_id":"call_42","name":"get_selection","arguments":{"project":"p1"},"result":{"selection":["A","B"]}}""",
            Json.Compact(tool));
    }

    [Fact]
    public async Task StructuredInputRecordsTheAnswersReplacesTheItemAndTheAgentContinues()
    {
        var user = NewUser("structured");
        using var http = fixture.CreateClientFor(user);
        var threadId = (await http.ChatKitStreamAsync("threads.create", new { input = Input("plan a trip") })).ThreadId();
        var itemId = await fixture.InsertItemAsync(user, threadId, "structured_input",
            """{"type":"structured_input","id":"{id}","thread_id":"{thread}","created_at":"2026-01-01T00:00:00Z","status":"pending","inputs":[{"id":"when","question":"When?","type":"multiple_choice","options":[{"value":"spring"},{"value":"summer"}],"multiple":false},{"id":"notes","question":"Anything else?","type":"freeform"}]}""");

        var events = await http.ChatKitStreamAsync("threads.add_structured_input", new
        {
            thread_id = threadId, item_id = itemId,
            input = new { status = "answered", answers = new Dictionary<string, object> { ["when"] = new { values = new[] { "summer", "spring" }, skipped = false } } },
        });
        Assert.Equal(["stream_options", "thread.item.replaced", "thread.item.added"], Sequence(events).Take(3));
        var replaced = events[1].GetProperty("item");
        Assert.Equal(itemId, replaced.GetProperty("id").GetString());
        Assert.Equal("answered", replaced.GetProperty("status").GetString());
        Assert.Equal("""{"values":["summer"],"skipped":false}""", replaced.GetProperty("inputs")[0].GetProperty("answer").GetRawText());
        Assert.Equal("""{"values":[],"skipped":true}""", replaced.GetProperty("inputs")[1].GetProperty("answer").GetRawText());

        var turn = await fixture.Agent.LastTurnAsync(2);
        Assert.Equal("Answers to the questions:\n- When?: summer\n- Anything else?: (skipped)", turn.GetProperty("input").GetProperty("text").GetString());

        using var again = await http.ChatKitAsync("threads.add_structured_input", new
        {
            thread_id = threadId, item_id = itemId, input = new { status = "skipped", answers = new { } },
        });
        Assert.Equal("already_answered", (await again.ProblemAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString());
    }

    async Task<long> CountAsync(string sql, string argument) => await ScalarAsync<long>(sql, argument);

    async Task<T?> ScalarAsync<T>(string sql, string argument)
    {
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("conversationsdb"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = argument });
        return (T?)await command.ExecuteScalarAsync();
    }
}
