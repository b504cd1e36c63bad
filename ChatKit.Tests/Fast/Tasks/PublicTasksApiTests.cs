using System.Text;
using System.Text.Json;
using ChatKit.Tests.Fast.Infrastructure;
using ChatKit.Tests.Infrastructure;

namespace ChatKit.Tests.Fast.Tasks;

/// <summary>
/// The public tasks API (/api/tasks on the API service, passed through to the agent) with both services in process: what
/// a client of the API sees, validation and limits included. Fast/Agent/TasksApiTests is the agent's own endpoint.
/// </summary>
public sealed class PublicTasksApiTests(ServicesApp fixture) : IClassFixture<ServicesApp>
{
    [Fact]
    public async Task ATaskIsCreatedReadChangedCompletedAndDeleted()
    {
        using var client = fixture.CreateClientFor(NewUser());

        var created = await client.PostAsJsonAsync("/api/tasks", new { title = "  buy milk ", description = "2 litres" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var task = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = task.GetProperty("id").GetInt64();
        Assert.Equal($"/api/tasks/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal(["id", "title", "description", "completed", "created_at", "updated_at"], task.EnumerateObject().Select(p => p.Name));
        Assert.Equal("buy milk", task.GetProperty("title").GetString());
        Assert.Equal("2 litres", task.GetProperty("description").GetString());
        Assert.False(task.GetProperty("completed").GetBoolean());
        Assert.Equal(TimeSpan.Zero, task.GetProperty("created_at").GetDateTimeOffset().Offset);

        var read = await client.GetFromJsonAsync<JsonElement>($"/api/tasks/{id}");
        Assert.Equal("buy milk", read.GetProperty("title").GetString());

        var patched = await client.PatchAsJsonAsync($"/api/tasks/{id}", new { title = "buy oat milk", description = "" });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var changed = await patched.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("buy oat milk", changed.GetProperty("title").GetString());
        Assert.Equal(JsonValueKind.Null, changed.GetProperty("description").ValueKind);
        Assert.True(changed.GetProperty("updated_at").GetDateTime() >= changed.GetProperty("created_at").GetDateTime());

        var completed = await client.PostAsync($"/api/tasks/{id}/complete", null);
        Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
        var done = await completed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(done.GetProperty("completed").GetBoolean());
        // Idempotent: completing again changes nothing, not even updated_at.
        var again = await client.PostAsync($"/api/tasks/{id}/complete", null);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(done.GetRawText(), (await again.Content.ReadFromJsonAsync<JsonElement>()).GetRawText());

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/tasks/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/tasks/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync($"/api/tasks/{id}")).StatusCode);
    }

    [Fact]
    public async Task ListingFiltersByStatusSearchesAndPagesNewestFirst()
    {
        using var client = fixture.CreateClientFor(NewUser());
        var ids = new List<long>();
        foreach (var title in new[] { "walk the dog", "buy milk", "call mum", "buy bread", "pay rent" })
        {
            ids.Add(await CreateAsync(client, title));
        }
        await client.PostAsync($"/api/tasks/{ids[1]}/complete", null);

        Assert.Equal(["pay rent", "buy bread", "call mum", "buy milk", "walk the dog"], await TitlesAsync(client, "/api/tasks"));
        Assert.Equal(["buy milk"], await TitlesAsync(client, "/api/tasks?status=completed"));
        Assert.Equal(["pay rent", "buy bread", "call mum", "walk the dog"], await TitlesAsync(client, "/api/tasks?status=pending"));
        Assert.Equal(["buy bread", "buy milk"], await TitlesAsync(client, "/api/tasks?q=BUY"));
        Assert.Empty(await TitlesAsync(client, "/api/tasks?q=100%25"));

        var first = await client.GetFromJsonAsync<JsonElement>("/api/tasks?limit=2");
        Assert.True(first.GetProperty("has_more").GetBoolean());
        Assert.Equal(ids[3], first.GetProperty("after").GetInt64());
        var second = await client.GetFromJsonAsync<JsonElement>($"/api/tasks?limit=2&after={first.GetProperty("after").GetInt64()}");
        Assert.Equal(["call mum", "buy milk"], second.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("title").GetString()!));
        var last = await client.GetFromJsonAsync<JsonElement>($"/api/tasks?limit=2&after={second.GetProperty("after").GetInt64()}");
        Assert.False(last.GetProperty("has_more").GetBoolean());
        Assert.Equal(JsonValueKind.Null, last.GetProperty("after").ValueKind);
        Assert.Equal(["walk the dog"], last.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("title").GetString()!));
    }

    public static TheoryData<string, string, string?, string> InvalidRequests() => new()
    {
        { "POST", "/api/tasks", """{"description":"no title"}""", "title" },
        { "POST", "/api/tasks", """{"title":"   "}""", "title" },
        { "POST", "/api/tasks", $$"""{"title":"{{new string('t', 201)}}"}""", "title" },
        { "POST", "/api/tasks", $$"""{"title":"ok","description":"{{new string('d', 2001)}}"}""", "description" },
        { "POST", "/api/tasks", """{"title":"nul\u0000byte"}""", "title" },
        { "POST", "/api/tasks", """{"title":"ok","description":"nul\u0000byte"}""", "description" },
        { "PATCH", "/api/tasks/{id}", """{"title":""}""", "title" },
        { "PATCH", "/api/tasks/{id}", $$"""{"description":"{{new string('d', 2001)}}"}""", "description" },
        { "GET", "/api/tasks?status=done", null, "status" },
        { "GET", "/api/tasks?limit=0", null, "limit" },
        { "GET", "/api/tasks?limit=201", null, "limit" },
        { "GET", "/api/tasks?limit=ten", null, "limit" },
        { "GET", "/api/tasks?after=-3", null, "after" },
        { "GET", $"/api/tasks?q={new string('q', 201)}", null, "q" },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task InvalidInputIsA400ValidationProblemNamingTheField(string method, string path, string? body, string field)
    {
        using var client = fixture.CreateClientFor(NewUser());
        var id = await CreateAsync(client, "untouched");

        var response = await SendAsync(client, method, path.Replace("{id}", id.ToString()), body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.GetRawText());
        Assert.Equal("untouched", (await client.GetFromJsonAsync<JsonElement>($"/api/tasks/{id}")).GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("POST", "/api/tasks", "{not json")]
    [InlineData("POST", "/api/tasks", """{"title": 42}""")]
    [InlineData("POST", "/api/tasks", "")]
    [InlineData("PATCH", "/api/tasks/{id}", """{"completed": "yes"}""")]
    public async Task AMalformedBodyIsA400ProblemNotA500(string method, string path, string body)
    {
        using var client = fixture.CreateClientFor(NewUser());
        var id = await CreateAsync(client, "untouched");

        var response = await SendAsync(client, method, path.Replace("{id}", id.ToString()), body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task AnOversizedBodyIsRejectedWith413()
    {
        using var client = fixture.CreateClientFor(NewUser());
        var body = $$"""{"title":"big","description":"{{new string('d', 64 * 1024)}}"}""";

        var response = await SendAsync(client, "POST", "/api/tasks", body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await TitlesAsync(client, "/api/tasks"));
    }

    public static TheoryData<string, string, string?> EveryEndpointOnATask() => new()
    {
        { "GET", "/api/tasks/{id}", null },
        { "PATCH", "/api/tasks/{id}", """{"title":"hijacked","completed":true}""" },
        { "DELETE", "/api/tasks/{id}", null },
        { "POST", "/api/tasks/{id}/complete", null },
    };

    [Theory]
    [MemberData(nameof(EveryEndpointOnATask))]
    public async Task AnotherUsersTaskIsNotFoundExactlyLikeAMissingOneAndStaysUnchanged(string method, string path, string? body)
    {
        using var alice = fixture.CreateClientFor(NewUser());
        using var bob = fixture.CreateClientFor(NewUser());
        var id = await CreateAsync(alice, "alice's secret");
        var before = (await alice.GetFromJsonAsync<JsonElement>($"/api/tasks/{id}")).GetRawText();
        var missing = await SendAsync(bob, method, path.Replace("{id}", long.MaxValue.ToString()), body);

        var foreign = await SendAsync(bob, method, path.Replace("{id}", id.ToString()), body);

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(missing.StatusCode, foreign.StatusCode);
        Assert.Equal(await ProblemWithoutTraceIdAsync(missing), await ProblemWithoutTraceIdAsync(foreign));
        Assert.Equal(before, (await alice.GetFromJsonAsync<JsonElement>($"/api/tasks/{id}")).GetRawText());
    }

    [Fact]
    public async Task AnotherUsersTasksNeverShowUpInListingsOrSearches()
    {
        using var alice = fixture.CreateClientFor(NewUser());
        using var bob = fixture.CreateClientFor(NewUser());
        await CreateAsync(alice, "alice's unique zebra task");
        await CreateAsync(bob, "bob's task");

        Assert.Equal(["bob's task"], await TitlesAsync(bob, "/api/tasks"));
        Assert.Empty(await TitlesAsync(bob, "/api/tasks?q=zebra"));
        Assert.Empty(await TitlesAsync(bob, "/api/tasks?status=pending&q=alice"));
    }

    [Fact]
    public async Task CreatingATaskCannotNameAnotherOwner()
    {
        var bobId = NewUser();
        using var alice = fixture.CreateClientFor(NewUser());
        using var bob = fixture.CreateClientFor(bobId);

        var response = await alice.PostAsJsonAsync("/api/tasks", new { title = "planted", owner_id = bobId, ownerId = bobId });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Empty(await TitlesAsync(bob, "/api/tasks"));
        Assert.Equal(["planted"], await TitlesAsync(alice, "/api/tasks"));
    }

    static async Task<string> ProblemWithoutTraceIdAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<Dictionary<string, JsonElement>>();
        problem!.Remove("traceId");
        return JsonSerializer.Serialize(problem);
    }

    static string NewUser() => "user-" + Guid.NewGuid().ToString("N")[..12];

    static async Task<long> CreateAsync(HttpClient client, string title)
    {
        var response = await client.PostAsJsonAsync("/api/tasks", new { title });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    static async Task<string[]> TitlesAsync(HttpClient client, string path)
    {
        var page = await client.GetFromJsonAsync<JsonElement>(path);
        return [.. page.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("title").GetString()!)];
    }

    static Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string path, string? body) =>
        client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"),
        });
}
