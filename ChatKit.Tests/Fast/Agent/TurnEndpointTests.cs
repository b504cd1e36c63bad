using System.Text.Json;
using ChatKit.Tests.Fast.Infrastructure;
using static ChatKit.Tests.Infrastructure.ChatKitCalls;

namespace ChatKit.Tests.Fast.Agent;

/// <summary>The agent's turn endpoint (/internal/turns) in process with the local model: tools, the database, the stream.</summary>
public sealed class TurnEndpointTests(AgentApp app) : IClassFixture<AgentApp>
{
    [Fact]
    public async Task OneTurnAddsATaskForTheCallerAndStreamsWhatHappened()
    {
        var user = NewUser("turner");
        using var http = app.ClientFor(user);

        var events = await TurnAsync(http, "add buy milk");

        Assert.Equal(["tool_call", "tool_result"], events.Take(2).Select(Type));
        Assert.Equal("add_task", events[0].GetProperty("name").GetString());
        Assert.Equal("buy milk", events[0].GetProperty("arguments").GetProperty("title").GetString());
        Assert.Equal(events[0].GetProperty("call_id").GetString(), events[1].GetProperty("call_id").GetString());
        Assert.Equal("created", events[1].GetProperty("result").GetProperty("status").GetString());
        var done = events[^1];
        Assert.Equal("done", Type(done));
        Assert.Equal("Added “buy milk” to your list.", done.GetProperty("text").GetString());
        Assert.Equal(done.GetProperty("text").GetString(),
            string.Concat(events.Where(e => Type(e) == "text_delta").Select(e => e.GetProperty("delta").GetString())));
        Assert.True(done.GetProperty("usage").GetProperty("input_tokens").GetInt64() > 0);

        var tasks = await http.GetFromJsonAsync<JsonElement>("/api/tasks");
        var task = Assert.Single(tasks.GetProperty("tasks").EnumerateArray());
        Assert.Equal("buy milk", task.GetProperty("title").GetString());
        Assert.Equal(events[1].GetProperty("result").GetProperty("task_id").GetInt64(), task.GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task ATurnSeesOnlyTheCallersTasks()
    {
        using var owner = app.ClientFor(NewUser("owner"));
        using var other = app.ClientFor(NewUser("other"));
        (await owner.PostAsJsonAsync("/api/tasks", new { title = "owner's secret" })).Dispose();

        var events = await TurnAsync(other, "what's on my list?");

        Assert.Equal(["tool_call", "tool_result"], events.Take(2).Select(Type));
        Assert.Equal(0, events[1].GetProperty("result").GetProperty("total").GetInt32());
        Assert.DoesNotContain("secret", events[^1].GetProperty("text").GetString());
    }

    [Fact]
    public async Task ListingALongListSendsTheFirstHundredOldestFirstAndCountsTheRest()
    {
        using var http = app.ClientFor(NewUser("long-list"));
        for (var i = 1; i <= TaskCount; i++) (await http.PostAsJsonAsync("/api/tasks", new { title = $"chore {i}" })).Dispose();

        var events = await TurnAsync(http, "what's on my list?");

        var result = events.Single(e => Type(e) == "tool_result").GetProperty("result");
        Assert.Equal(TaskCount, result.GetProperty("total").GetInt32());
        var listed = result.GetProperty("tasks").EnumerateArray().ToList();
        Assert.Equal(100, listed.Count);
        Assert.Equal("chore 1", listed[0].GetProperty("title").GetString());
        Assert.Equal("chore 100", listed[^1].GetProperty("title").GetString());
        Assert.Equal(Enumerable.Range(1, 100), listed.Select(t => t.GetProperty("position").GetInt32()));
    }

    const int TaskCount = 120;

    [Theory]
    [InlineData("grocries")]
    [InlineData("groc")]
    [InlineData("GROCERIES")]
    public async Task FindingATaskToleratesTyposAndPartialWordsAndSeesOnlyTheCallersTasks(string words)
    {
        using var owner = app.ClientFor(NewUser("finder"));
        using var other = app.ClientFor(NewUser("finder-other"));
        foreach (var title in new[] { "buy groceries", "call the dentist", "book flights" })
            (await owner.PostAsJsonAsync("/api/tasks", new { title })).Dispose();
        (await other.PostAsJsonAsync("/api/tasks", new { title = "groceries for bob" })).Dispose();

        var events = await TurnAsync(owner, $"delete {words}");

        var found = events.First(e => Type(e) == "tool_result").GetProperty("result");
        Assert.Equal("found", found.GetProperty("status").GetString());
        var task = Assert.Single(found.GetProperty("tasks").EnumerateArray());
        Assert.Equal("buy groceries", task.GetProperty("title").GetString());
    }

    [Fact]
    public async Task FindingAWordNoTitleResemblesFindsNothing()
    {
        using var http = app.ClientFor(NewUser("finder-none"));
        (await http.PostAsJsonAsync("/api/tasks", new { title = "buy groceries" })).Dispose();

        var events = await TurnAsync(http, "delete the zebra task");

        var found = events.First(e => Type(e) == "tool_result").GetProperty("result");
        Assert.Equal(0, found.GetProperty("total").GetInt32());
    }

    static async Task<List<JsonElement>> TurnAsync(HttpClient http, string text)
    {
        using var response = await http.PostAsJsonAsync("/internal/turns", new { thread_id = "thr_fast", history = Array.Empty<object>(), input = new { text } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        return [.. body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];
    }

    static string Type(JsonElement e) => e.GetProperty("type").GetString()!;
}
