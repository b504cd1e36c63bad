using System.Net.Http.Headers;
using System.Text.Json;
using ChatKit.Tests.Fast.Infrastructure;
using ChatKit.Tests.Infrastructure;
using static ChatKit.Tests.Infrastructure.ChatKitCalls;
using static ChatKit.Tests.Infrastructure.RestCalls;

namespace ChatKit.Tests.Fast.Conversations;

/// <summary>
/// The REST messages endpoint's limits, streaming and ordering, entity search, and users kept apart on every endpoint, the API
/// calling the real agent and its local model in process.
/// </summary>
public sealed class RestMessageTests(ServicesApp fixture) : IClassFixture<ServicesApp>
{
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

        Assert.Empty(ThreadIds(await bob.GetFromJsonAsync<JsonElement>("/api/chatkit/threads")));
        Assert.Empty(ThreadIds(await bob.GetFromJsonAsync<JsonElement>("/api/chatkit/threads?q=party")));
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
}
