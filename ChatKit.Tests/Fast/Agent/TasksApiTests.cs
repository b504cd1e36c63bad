using System.Text.Json;
using ChatKit.Tests.Fast.Infrastructure;
using static ChatKit.Tests.Infrastructure.ChatKitCalls;
using static ChatKit.Testing.TestTokens;

namespace ChatKit.Tests.Fast.Agent;

/// <summary>The agent's tasks REST API (/api/tasks) in process, against its own PostgreSQL database.</summary>
public sealed class TasksApiTests(AgentApp app) : IClassFixture<AgentApp>
{
    [Fact]
    public async Task ATaskIsCreatedListedCompletedAndDeleted()
    {
        using var http = app.ClientFor(NewUser("alice"));

        using var created = await http.PostAsJsonAsync("/api/tasks", new { title = "  buy milk ", description = "2 liters" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var task = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = task.GetProperty("id").GetInt64();
        Assert.Equal($"/api/tasks/{id}", created.Headers.Location?.ToString());
        Assert.Equal("buy milk", task.GetProperty("title").GetString());
        Assert.False(task.GetProperty("completed").GetBoolean());

        var listed = await http.GetFromJsonAsync<JsonElement>("/api/tasks");
        Assert.Equal([id], listed.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("id").GetInt64()));

        using var completed = await http.PostAsync($"/api/tasks/{id}/complete", null);
        Assert.True((await completed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("completed").GetBoolean());
        var pending = await http.GetFromJsonAsync<JsonElement>("/api/tasks?status=pending");
        Assert.Equal(0, pending.GetProperty("tasks").GetArrayLength());

        using var deleted = await http.DeleteAsync($"/api/tasks/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await http.GetAsync($"/api/tasks/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task ListingPagesNewestFirst()
    {
        using var http = app.ClientFor(NewUser("pager"));
        foreach (var title in new[] { "one", "two", "three" }) (await http.PostAsJsonAsync("/api/tasks", new { title })).Dispose();

        var first = await http.GetFromJsonAsync<JsonElement>("/api/tasks?limit=2");
        Assert.Equal(["three", "two"], Titles(first));
        Assert.True(first.GetProperty("has_more").GetBoolean());
        var rest = await http.GetFromJsonAsync<JsonElement>($"/api/tasks?limit=2&after={first.GetProperty("after").GetInt64()}");
        Assert.Equal(["one"], Titles(rest));
        Assert.False(rest.GetProperty("has_more").GetBoolean());
    }

    [Fact]
    public async Task ATaskWithoutATitleIsAValidationProblem()
    {
        using var http = app.ClientFor(NewUser("blank"));

        using var response = await http.PostAsJsonAsync("/api/tasks", new { title = "   " });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("title", out _));
    }

    [Fact]
    public async Task AnotherUserCanNeitherSeeNorChangeTheTask()
    {
        using var owner = app.ClientFor(NewUser("owner"));
        using var other = app.ClientFor(NewUser("other"));
        using var created = await owner.PostAsJsonAsync("/api/tasks", new { title = "private" });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        Assert.Equal(0, (await other.GetFromJsonAsync<JsonElement>("/api/tasks")).GetProperty("tasks").GetArrayLength());
        Assert.Equal(0, (await other.GetFromJsonAsync<JsonElement>("/api/tasks?q=private")).GetProperty("tasks").GetArrayLength());
        foreach (var request in new Func<Task<HttpResponseMessage>>[]
                 {
                     () => other.GetAsync($"/api/tasks/{id}"),
                     () => other.PatchAsJsonAsync($"/api/tasks/{id}", new { title = "mine now", completed = true }),
                     () => other.PostAsync($"/api/tasks/{id}/complete", null),
                     () => other.DeleteAsync($"/api/tasks/{id}"),
                 })
        {
            using var response = await request();
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        var unchanged = await owner.GetFromJsonAsync<JsonElement>($"/api/tasks/{id}");
        Assert.Equal("private", unchanged.GetProperty("title").GetString());
        Assert.False(unchanged.GetProperty("completed").GetBoolean());
    }

    [Fact]
    public async Task ARequestWithoutAValidTokenIsUnauthorized()
    {
        using var anonymous = app.CreateClient();
        using var forged = app.CreateClient().WithToken(BetterAuth("mallory")[..^4] + "AAAA");

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/tasks")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync("/api/tasks")).StatusCode);
    }

    static IEnumerable<string> Titles(JsonElement page) =>
        page.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("title").GetString()!);
}
