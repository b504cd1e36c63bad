using System.Net.Http.Headers;
using System.Text.Json;
using ChatKit.Tests.Infrastructure;
using static ChatKit.Tests.Infrastructure.ChatKitCalls;

namespace ChatKit.Tests.Conversations;

/// <summary>The REST endpoints of the original design against the whole app with the real agent and its local model.</summary>
[Collection(AppCollection.Name)]
public sealed class RestApiTests(AppFixture fixture)
{
    [Fact]
    public async Task CreatingAThreadReturnsItsIdAndCreationTime()
    {
        using var http = fixture.CreateClientFor(NewUser("create"));
        using var response = await http.PostAsync("/api/chatkit/threads", null);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["id", "created_at"], body.EnumerateObject().Select(p => p.Name));
        var id = body.GetProperty("id").GetString()!;
        Assert.Matches("^thr_[0-9a-f]{24}$", id);
        Json.AssertUtc(body.GetProperty("created_at"));
        Assert.Equal($"/api/chatkit/threads/{id}", response.Headers.Location?.OriginalString);

        using var titled = await http.PostAsync("/api/chatkit/threads", JsonContent.Create(new { title = "Groceries" }));
        var titledId = (await titled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        var thread = await http.GetFromJsonAsync<JsonElement>($"/api/chatkit/threads/{titledId}");
        Assert.Equal("Groceries", thread.GetProperty("title").GetString());
    }

    [Fact]
    public async Task SendingAMessageAnswersItAndTheThreadShowsBothMessagesOldestFirst()
    {
        using var http = fixture.CreateClientFor(NewUser("send"));
        var threadId = await NewThreadAsync(http);

        var answer = await SendAsync(http, threadId, "Create a task to buy groceries");
        Assert.Equal(["message_id", "response_id", "response", "thread_id"], answer.EnumerateObject().Select(p => p.Name));
        Assert.Equal(threadId, answer.GetProperty("thread_id").GetString());
        Assert.Contains("buy groceries", answer.GetProperty("response").GetString(), StringComparison.OrdinalIgnoreCase);

        var thread = await http.GetFromJsonAsync<JsonElement>($"/api/chatkit/threads/{threadId}");
        Assert.Equal(["id", "title", "created_at", "updated_at", "message_count", "messages", "has_more", "after"],
            thread.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Create a task to buy groceries", thread.GetProperty("title").GetString());
        Assert.Equal(2, thread.GetProperty("message_count").GetInt32());
        var messages = thread.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(["id", "role", "content", "created_at"], messages[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(["user", "assistant"], messages.Select(m => m.GetProperty("role").GetString()));
        Assert.Equal(answer.GetProperty("message_id").GetString(), messages[0].GetProperty("id").GetString());
        Assert.Equal(answer.GetProperty("response_id").GetString(), messages[1].GetProperty("id").GetString());
        Assert.Equal("Create a task to buy groceries", messages[0].GetProperty("content").GetString());
        Assert.Equal(answer.GetProperty("response").GetString(), messages[1].GetProperty("content").GetString());

        // Paged, oldest first.
        var page = await http.GetFromJsonAsync<JsonElement>($"/api/chatkit/threads/{threadId}?limit=1");
        Assert.Equal(messages[0].GetProperty("id").GetString(), Assert.Single(page.GetProperty("messages").EnumerateArray()).GetProperty("id").GetString());
        Assert.True(page.GetProperty("has_more").GetBoolean());
        var next = await http.GetFromJsonAsync<JsonElement>($"/api/chatkit/threads/{threadId}?limit=1&after={page.GetProperty("after").GetString()}");
        Assert.Equal(messages[1].GetProperty("id").GetString(), Assert.Single(next.GetProperty("messages").EnumerateArray()).GetProperty("id").GetString());
        Assert.False(next.GetProperty("has_more").GetBoolean());

        // The agent really ran its tool for this user.
        var tasks = await http.GetFromJsonAsync<JsonElement>("/api/tasks");
        Assert.Contains(tasks.GetProperty("tasks").EnumerateArray(), t => t.GetProperty("title").GetString() == "buy groceries");
    }

    [Fact]
    public async Task WithoutAThreadIdAMessageStartsANewThread()
    {
        using var http = fixture.CreateClientFor(NewUser("implicit"));
        using var response = await http.PostAsJsonAsync("/api/chatkit/messages", new { message = "hello" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        var list = await http.GetFromJsonAsync<JsonElement>("/api/chatkit/threads");
        Assert.Equal(answer.GetProperty("thread_id").GetString(), list.GetProperty("threads")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task AFollowUpUsesTheHistoryOfEarlierTurns()
    {
        using var http = fixture.CreateClientFor(NewUser("history"));
        var threadId = await NewThreadAsync(http);
        await SendAsync(http, threadId, "add buy milk");
        await SendAsync(http, threadId, "add walk the dog");
        await SendAsync(http, threadId, "add pay rent");
        var listed = await SendAsync(http, threadId, "show my tasks");
        Assert.Contains("pay rent", listed.GetProperty("response").GetString());

        // "task 3" means the third task of the list shown in the previous turn: only the history can tell.
        var done = await SendAsync(http, threadId, "complete task 3");
        var tasks = (await http.GetFromJsonAsync<JsonElement>("/api/tasks")).GetProperty("tasks").EnumerateArray()
            .ToDictionary(t => t.GetProperty("title").GetString()!, t => t.GetProperty("completed").GetBoolean());
        var listedOrder = ListedTitles(listed.GetProperty("response").GetString()!);
        Assert.True(tasks[listedOrder[2]], $"task 3 of the list ({listedOrder[2]}) should be done: {done}");
        Assert.Equal(1, tasks.Count(t => t.Value));
    }

    [Fact]
    public async Task ListingPagesThreadsByRecentActivityAndSearchesTitlesAndMessages()
    {
        using var http = fixture.CreateClientFor(NewUser("list"));
        var a = await NewThreadAsync(http, "Garden");
        var b = await NewThreadAsync(http, "Kitchen");
        var c = await NewThreadAsync(http, "Garage");
        await SendAsync(http, a, "add prune the roses"); // a is now the most recent

        var first = await http.GetFromJsonAsync<JsonElement>("/api/chatkit/threads?limit=2");
        Assert.Equal([a, c], Ids(first));
        Assert.True(first.GetProperty("has_more").GetBoolean());
        var entry = first.GetProperty("threads")[0];
        Assert.Equal(["id", "title", "created_at", "updated_at", "message_count"], entry.EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, entry.GetProperty("message_count").GetInt32());
        Assert.True(entry.GetProperty("updated_at").GetDateTime() > entry.GetProperty("created_at").GetDateTime());

        var after = Uri.EscapeDataString(first.GetProperty("after").GetString()!);
        var second = await http.GetFromJsonAsync<JsonElement>($"/api/chatkit/threads?limit=2&after={after}");
        Assert.Equal([b], Ids(second));
        Assert.False(second.GetProperty("has_more").GetBoolean());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("after").ValueKind);

        Assert.Equal([c], Ids(await http.GetFromJsonAsync<JsonElement>("/api/chatkit/threads?q=gara")));
        Assert.Equal([a], Ids(await http.GetFromJsonAsync<JsonElement>("/api/chatkit/threads?q=roses")));
        Assert.Equal([a], Ids(await http.GetFromJsonAsync<JsonElement>("/api/chatkit/threads?q=PRUNE%20rose")));
        Assert.Empty(Ids(await http.GetFromJsonAsync<JsonElement>("/api/chatkit/threads?q=volcano")));

        using var badCursor = await http.GetAsync("/api/chatkit/threads?after=nonsense");
        Assert.Equal("invalid_cursor", (await badCursor.ProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString());
        using var badLimit = await http.GetAsync("/api/chatkit/threads?limit=0");
        await badLimit.ProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task RenamingAndDeletingAThread()
    {
        using var http = fixture.CreateClientFor(NewUser("rename"));
        var threadId = await NewThreadAsync(http);
        await SendAsync(http, threadId, "add call the plumber");

        using var renamed = await http.PatchAsJsonAsync($"/api/chatkit/threads/{threadId}", new { title = "  Plumbing  " });
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        var summary = await renamed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Plumbing", summary.GetProperty("title").GetString());
        Assert.Equal(2, summary.GetProperty("message_count").GetInt32());

        using var empty = await http.PatchAsJsonAsync($"/api/chatkit/threads/{threadId}", new { title = " " });
        await empty.ProblemAsync(HttpStatusCode.BadRequest);
        using var tooLong = await http.PatchAsJsonAsync($"/api/chatkit/threads/{threadId}", new { title = new string('t', 201) });
        await tooLong.ProblemAsync(HttpStatusCode.BadRequest);

        using var deleted = await http.DeleteAsync($"/api/chatkit/threads/{threadId}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await http.GetAsync($"/api/chatkit/threads/{threadId}");
        await gone.ProblemAsync(HttpStatusCode.NotFound);
        using var again = await http.DeleteAsync($"/api/chatkit/threads/{threadId}");
        await again.ProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("""{"thread_id": "{id}", "message": ""}""", "empty_message")]
    [InlineData("""{"thread_id": "{id}", "message": "   "}""", "empty_message")]
    [InlineData("""{"thread_id": "{id}"}""", "empty_message")]
    [InlineData("""{"thread_id": "{id}", "message": "{long}"}""", "message_too_long")]
    [InlineData("""{"thread_id": "{id}", "message": "{padded}"}""", "message_too_long")]
    [InlineData("""{"thread_id": "", "message": "hi"}""", "invalid_thread_id")]
    [InlineData("""{"thread_id": "{id}", "message": 5}""", "invalid_json")]
    [InlineData("""not json""", "invalid_json")]
    public async Task BadMessagesAreRejectedWith400(string body, string code)
    {
        using var http = fixture.CreateClientFor(NewUser("badmsg"));
        var threadId = await NewThreadAsync(http);
        using var response = await http.PostAsync("/api/chatkit/messages",
            new StringContent(body.Replace("{id}", threadId).Replace("{long}", new string('x', 8001))
                .Replace("{padded}", "hi" + new string(' ', 20_000)), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(code, (await response.ProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString());
        var thread = await http.GetFromJsonAsync<JsonElement>($"/api/chatkit/threads/{threadId}");
        Assert.Equal(0, thread.GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task AMessageOfExactlyTheLimitIsAccepted()
    {
        using var http = fixture.CreateClientFor(NewUser("limit"));
        var threadId = await NewThreadAsync(http);
        var answer = await SendAsync(http, threadId, "note " + new string('x', 7995));
        Assert.False(string.IsNullOrEmpty(answer.GetProperty("response").GetString()));
    }

    [Fact]
    public async Task MessagesStreamAsChatKitEventsWhenAskedFor()
    {
        using var http = fixture.CreateClientFor(NewUser("sse"));
        var threadId = await NewThreadAsync(http);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/chatkit/messages")
        {
            Content = JsonContent.Create(new { thread_id = threadId, message = "add water the plants" }),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await http.SendAsync(request);
        var events = await ReadEventsAsync(response);
        Assert.Equal(["thread.item.done", "stream_options", "progress_update"], Collapsed(events).Take(3));
        Assert.Contains("water the plants", events.AssistantText());
        Assert.Equal("thread.updated", events[^1].Type());
    }

    [Fact]
    public async Task ConcurrentMessagesToOneThreadAreAnsweredOneAfterTheOther()
    {
        using var http = fixture.CreateClientFor(NewUser("concurrent"));
        var threadId = await NewThreadAsync(http);
        // As many as one user may have in flight (ChatKit:Conversations:MaxTurnsPerUser, 4).
        string[] items = ["apples", "bread", "cheese", "dates"];
        var answers = await Task.WhenAll(items.Select(item => SendAsync(http, threadId, $"add {item}")));

        var thread = await http.GetFromJsonAsync<JsonElement>($"/api/chatkit/threads/{threadId}");
        var messages = thread.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(2 * items.Length, messages.Count);
        Assert.Equal(2 * items.Length, thread.GetProperty("message_count").GetInt32());
        for (var i = 0; i < messages.Count; i += 2)
        {
            // Each question is followed by its own answer: nothing lost, nothing interleaved.
            Assert.Equal("user", messages[i].GetProperty("role").GetString());
            Assert.Equal("assistant", messages[i + 1].GetProperty("role").GetString());
            var item = messages[i].GetProperty("content").GetString()!["add ".Length..];
            Assert.Contains(item, messages[i + 1].GetProperty("content").GetString());
            Assert.Contains(answers, a => a.GetProperty("response_id").GetString() == messages[i + 1].GetProperty("id").GetString());
        }
        var tasks = await http.GetFromJsonAsync<JsonElement>("/api/tasks");
        Assert.Equal(items.Order(), tasks.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("title").GetString()).Order());
    }

    [Fact]
    public async Task EntitySearchReturnsTheCallersTasksAsChatKitEntities()
    {
        var user = NewUser("entities");
        using var http = fixture.CreateClientFor(user);
        using var other = fixture.CreateClientFor(NewUser("entities-other"));
        (await http.PostAsJsonAsync("/api/tasks", new { title = "buy milk", description = "semi-skimmed" })).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync("/api/tasks", new { title = "walk the dog" })).EnsureSuccessStatusCode();
        (await other.PostAsJsonAsync("/api/tasks", new { title = "buy milk for bob" })).EnsureSuccessStatusCode();

        var result = await http.GetFromJsonAsync<JsonElement>("/api/chatkit/entities/search?q=milk");
        var entity = Assert.Single(result.GetProperty("entities").EnumerateArray());
        Assert.Matches("^task_[0-9]+$", entity.GetProperty("id").GetString());
        Assert.Equal("buy milk", entity.GetProperty("title").GetString());
        Assert.Equal("Open tasks", entity.GetProperty("group").GetString());
        Assert.Equal(entity.GetProperty("id").GetString(), "task_" + entity.GetProperty("data").GetProperty("task_id").GetString());
        Assert.Equal("semi-skimmed", entity.GetProperty("data").GetProperty("description").GetString());
        Assert.Equal(2, (await http.GetFromJsonAsync<JsonElement>("/api/chatkit/entities/search")).GetProperty("entities").GetArrayLength());

        using var tooLong = await http.GetAsync("/api/chatkit/entities/search?q=" + new string('q', 201));
        await tooLong.ProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task EveryEndpointKeepsUsersApart()
    {
        using var alice = fixture.CreateClientFor(NewUser("alice"));
        using var bob = fixture.CreateClientFor(NewUser("bob"));
        var threadId = await NewThreadAsync(alice, "Alice's secrets");
        await SendAsync(alice, threadId, "add surprise party for bob");

        Assert.Empty(Ids(await bob.GetFromJsonAsync<JsonElement>("/api/chatkit/threads")));
        Assert.Empty(Ids(await bob.GetFromJsonAsync<JsonElement>("/api/chatkit/threads?q=party")));
        await (await bob.GetAsync($"/api/chatkit/threads/{threadId}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await bob.PatchAsJsonAsync($"/api/chatkit/threads/{threadId}", new { title = "mine" })).ProblemAsync(HttpStatusCode.NotFound);
        await (await bob.DeleteAsync($"/api/chatkit/threads/{threadId}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await bob.PostAsJsonAsync("/api/chatkit/messages", new { thread_id = threadId, message = "what is planned?" }))
            .ProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty((await bob.GetFromJsonAsync<JsonElement>("/api/chatkit/entities/search?q=party")).GetProperty("entities").EnumerateArray());

        var thread = await alice.GetFromJsonAsync<JsonElement>($"/api/chatkit/threads/{threadId}");
        Assert.Equal("Alice's secrets", thread.GetProperty("title").GetString());
        Assert.Equal(2, thread.GetProperty("messages").GetArrayLength());

        using var anonymous = fixture.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/chatkit/threads")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/chatkit/messages", new { message = "hi" })).StatusCode);
    }

    internal static async Task<string> NewThreadAsync(HttpClient http, string? title = null)
    {
        using var response = await http.PostAsync("/api/chatkit/threads", title is null ? null : JsonContent.Create(new { title }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    internal static async Task<JsonElement> SendAsync(HttpClient http, string threadId, string message)
    {
        using var response = await http.PostAsJsonAsync("/api/chatkit/messages", new { thread_id = threadId, message });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    static List<string> Ids(JsonElement list) => list.GetProperty("threads").EnumerateArray().Select(t => t.GetProperty("id").GetString()!).ToList();

    /// <summary>The titles of a numbered list in an answer ("1. buy milk"), in order.</summary>
    static List<string> ListedTitles(string answer) => System.Text.RegularExpressions.Regex.Matches(answer, @"(?m)^\s*\d+\.\s+(.+?)\s*$")
        .Select(m => m.Groups[1].Value.Trim('*', ' ', '“', '”', '"')).ToList();
}
