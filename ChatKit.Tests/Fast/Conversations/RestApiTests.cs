using System.Net.Http.Headers;
using System.Text.Json;
using ChatKit.Tests.Fast.Infrastructure;
using ChatKit.Tests.Infrastructure;
using static ChatKit.Tests.Infrastructure.ChatKitCalls;
using static ChatKit.Tests.Infrastructure.RestCalls;

namespace ChatKit.Tests.Fast.Conversations;

/// <summary>
/// The REST endpoints of the original design for threads (create, send, follow up, list and search, rename, delete), the API
/// calling the real agent and its local model in process.
/// </summary>
public sealed class RestApiTests(ServicesApp fixture) : IClassFixture<ServicesApp>
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
        Assert.Equal([a, c], ThreadIds(first));
        Assert.True(first.GetProperty("has_more").GetBoolean());
        var entry = first.GetProperty("threads")[0];
        Assert.Equal(["id", "title", "created_at", "updated_at", "message_count"], entry.EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, entry.GetProperty("message_count").GetInt32());
        Assert.True(entry.GetProperty("updated_at").GetDateTime() > entry.GetProperty("created_at").GetDateTime());

        var after = Uri.EscapeDataString(first.GetProperty("after").GetString()!);
        var second = await http.GetFromJsonAsync<JsonElement>($"/api/chatkit/threads?limit=2&after={after}");
        Assert.Equal([b], ThreadIds(second));
        Assert.False(second.GetProperty("has_more").GetBoolean());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("after").ValueKind);

        Assert.Equal([c], ThreadIds(await http.GetFromJsonAsync<JsonElement>("/api/chatkit/threads?q=gara")));
        Assert.Equal([a], ThreadIds(await http.GetFromJsonAsync<JsonElement>("/api/chatkit/threads?q=roses")));
        Assert.Equal([a], ThreadIds(await http.GetFromJsonAsync<JsonElement>("/api/chatkit/threads?q=PRUNE%20rose")));
        Assert.Empty(ThreadIds(await http.GetFromJsonAsync<JsonElement>("/api/chatkit/threads?q=volcano")));

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

    /// <summary>The titles of a numbered list in an answer ("1. buy milk"), in order.</summary>
    static List<string> ListedTitles(string answer) => System.Text.RegularExpressions.Regex.Matches(answer, @"(?m)^\s*\d+\.\s+(.+?)\s*$")
        .Select(m => m.Groups[1].Value.Trim('*', ' ', '“', '”', '"')).ToList();
}
