using System.Text.Json;
using ChatKit.Tests.Fast.Infrastructure;
using static ChatKit.Tests.Infrastructure.ChatKitCalls;

namespace ChatKit.Tests.Fast.Conversations;

/// <summary>
/// The API service in process against its own PostgreSQL database and a fake agent: the conversation store as the
/// ChatKit endpoint (POST /api/chatkit) reaches it. The protocol's every event and error is the whole-app suite's job.
/// </summary>
public sealed class ChatKitStoreTests(EchoApiApp app) : IClassFixture<EchoApiApp>
{
    [Fact]
    public async Task ThreadsCreateStreamsTheTurnAndStoresTheThreadWithBothMessages()
    {
        var user = NewUser("creator");
        using var http = app.ClientFor(user);

        var events = await http.ChatKitStreamAsync("threads.create", new { input = Input("plan the trip to Lisbon") });

        Assert.Equal("thread.created", events[0].Type());
        var threadId = events.ThreadId();
        var done = events.Where(e => e.Type() == "thread.item.done").Select(e => e.GetProperty("item")).ToList();
        Assert.Equal(["user_message", "assistant_message"], done.Select(i => i.Type()));
        Assert.Equal(FakeAgent.ReplyTo("plan the trip to Lisbon"), done[1].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("Plan the trip to Lisbon", events[^1].GetProperty("thread").GetProperty("title").GetString());

        var (turn, authorization) = app.Agent.Turns.Single(t => t.Body.GetProperty("thread_id").GetString() == threadId);
        Assert.Equal("plan the trip to Lisbon", turn.GetProperty("input").GetProperty("text").GetString());
        Assert.Equal(http.DefaultRequestHeaders.Authorization!.ToString(), authorization);

        var stored = await http.ChatKitJsonAsync("threads.get_by_id", new { thread_id = threadId });
        Assert.Equal("Plan the trip to Lisbon", stored.GetProperty("title").GetString());
        Assert.Equal(done.Select(i => i.GetProperty("id").GetString()!), stored.GetProperty("items").Ids());
        Assert.Equal(done.Select(i => i.GetRawText()), stored.GetProperty("items").GetProperty("data").EnumerateArray().Select(i => i.GetRawText()));
    }

    [Fact]
    public async Task TheNextTurnGetsTheStoredConversationAsHistory()
    {
        using var http = app.ClientFor(NewUser("historian"));
        var threadId = (await http.ChatKitStreamAsync("threads.create", new { input = Input("first") })).ThreadId();

        await http.ChatKitStreamAsync("threads.add_user_message", new { thread_id = threadId, input = Input("second") });

        var turns = app.Agent.Turns.Where(t => t.Body.GetProperty("thread_id").GetString() == threadId).ToList();
        Assert.Equal(2, turns.Count);
        var history = turns[1].Body.GetProperty("history").EnumerateArray()
            .Select(m => $"{m.GetProperty("role").GetString()}: {m.GetProperty("content").GetString()}");
        Assert.Equal(["user: first", $"assistant: {FakeAgent.ReplyTo("first")}"], history);
        Assert.Equal("second", turns[1].Body.GetProperty("input").GetProperty("text").GetString());
    }

    [Fact]
    public async Task ThreadsListPagesNewestFirstWithACursorAndOldestFirstOnRequest()
    {
        using var http = app.ClientFor(NewUser("lister"));
        var ids = new List<string>();
        foreach (var name in new[] { "one", "two", "three" })
        {
            ids.Add((await http.ChatKitStreamAsync("threads.create", new { input = Input($"thread {name}") })).ThreadId());
        }

        var first = await http.ChatKitJsonAsync("threads.list", new { limit = 2 });
        Assert.Equal([ids[2], ids[1]], first.Ids());
        Assert.True(first.GetProperty("has_more").GetBoolean());
        Assert.Equal("Thread three", first.GetProperty("data")[0].GetProperty("title").GetString());

        var rest = await http.ChatKitJsonAsync("threads.list", new { limit = 2, after = first.GetProperty("after").GetString() });
        Assert.Equal([ids[0]], rest.Ids());
        Assert.False(rest.GetProperty("has_more").GetBoolean());

        Assert.Equal(ids, (await http.ChatKitJsonAsync("threads.list", new { order = "asc" })).Ids());
    }

    [Fact]
    public async Task ItemsListPagesTheThreadsMessagesBothWays()
    {
        using var http = app.ClientFor(NewUser("itemizer"));
        var threadId = (await http.ChatKitStreamAsync("threads.create", new { input = Input("first") })).ThreadId();
        await http.ChatKitStreamAsync("threads.add_user_message", new { thread_id = threadId, input = Input("second") });

        var all = await http.ChatKitJsonAsync("items.list", new { thread_id = threadId, order = "asc" });
        Assert.Equal(["user_message", "assistant_message", "user_message", "assistant_message"],
            all.GetProperty("data").EnumerateArray().Select(i => i.Type()));
        var ids = all.Ids();

        var newest = await http.ChatKitJsonAsync("items.list", new { thread_id = threadId, limit = 3 });
        Assert.Equal([ids[3], ids[2], ids[1]], newest.Ids());
        Assert.True(newest.GetProperty("has_more").GetBoolean());
        var oldest = await http.ChatKitJsonAsync("items.list", new { thread_id = threadId, limit = 3, after = newest.GetProperty("after").GetString() });
        Assert.Equal([ids[0]], oldest.Ids());
        Assert.False(oldest.GetProperty("has_more").GetBoolean());
    }

    [Fact]
    public async Task ThreadsUpdateRenamesTheThreadAndRefusesAnEmptyTitle()
    {
        using var http = app.ClientFor(NewUser("renamer"));
        var threadId = (await http.ChatKitStreamAsync("threads.create", new { input = Input("untitled thoughts") })).ThreadId();

        var renamed = await http.ChatKitJsonAsync("threads.update", new { thread_id = threadId, title = "  Holiday plans " });
        using var empty = await http.ChatKitAsync("threads.update", new { thread_id = threadId, title = " " });

        Assert.Equal("Holiday plans", renamed.GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        var listed = await http.ChatKitJsonAsync("threads.list", new { });
        Assert.Equal("Holiday plans", Assert.Single(listed.GetProperty("data").EnumerateArray()).GetProperty("title").GetString());
    }

    [Fact]
    public async Task ThreadsDeleteRemovesTheThreadAndItsItems()
    {
        using var http = app.ClientFor(NewUser("deleter"));
        var kept = (await http.ChatKitStreamAsync("threads.create", new { input = Input("keep me") })).ThreadId();
        var removed = (await http.ChatKitStreamAsync("threads.create", new { input = Input("delete me") })).ThreadId();

        Assert.Equal("{}", (await http.ChatKitJsonAsync("threads.delete", new { thread_id = removed })).GetRawText());

        Assert.Equal([kept], (await http.ChatKitJsonAsync("threads.list", new { })).Ids());
        using var thread = await http.ChatKitAsync("threads.get_by_id", new { thread_id = removed });
        using var items = await http.ChatKitAsync("items.list", new { thread_id = removed });
        using var again = await http.ChatKitAsync("threads.delete", new { thread_id = removed });
        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound], [thread.StatusCode, items.StatusCode, again.StatusCode]);
    }

    [Fact]
    public async Task AnotherUserGetsNotFoundForTheThreadAndCannotChangeIt()
    {
        using var owner = app.ClientFor(NewUser("owner"));
        using var other = app.ClientFor(NewUser("other"));
        var threadId = (await owner.ChatKitStreamAsync("threads.create", new { input = Input("my secret plans") })).ThreadId();

        Assert.Empty((await other.ChatKitJsonAsync("threads.list", new { })).Ids());
        foreach (var (type, parameters) in new (string, object)[]
                 {
                     ("threads.get_by_id", new { thread_id = threadId }),
                     ("items.list", new { thread_id = threadId }),
                     ("threads.update", new { thread_id = threadId, title = "stolen" }),
                     ("threads.delete", new { thread_id = threadId }),
                     ("threads.add_user_message", new { thread_id = threadId, input = Input("me too") }),
                 })
        {
            using var response = await other.ChatKitAsync(type, parameters);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{type}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        var thread = await owner.ChatKitJsonAsync("threads.get_by_id", new { thread_id = threadId });
        Assert.Equal("My secret plans", thread.GetProperty("title").GetString());
        Assert.Equal(2, thread.GetProperty("items").GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task ASessionTokenMintedFromABetterAuthTokenOpensTheSameUsersThreads()
    {
        var user = NewUser("session");
        using var jwt = app.ClientFor(user);
        var threadId = (await jwt.ChatKitStreamAsync("threads.create", new { input = Input("hello") })).ThreadId();
        using var minted = await jwt.PostAsync("/api/chatkit/session", null);
        var session = await minted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(user, session.GetProperty("user_id").GetString());

        using var http = app.CreateClient().WithToken(session.GetProperty("client_secret").GetString()!);
        using var anonymous = app.CreateClient();

        Assert.Equal([threadId], (await http.ChatKitJsonAsync("threads.list", new { })).Ids());
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.ChatKitAsync("threads.list", new { })).StatusCode);
    }
}
