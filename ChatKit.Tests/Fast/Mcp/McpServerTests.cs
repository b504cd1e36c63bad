using System.Net.Http.Headers;
using System.Text.Json;
using ChatKit.Tests.Fast.Infrastructure;
using ChatKit.Tests.Infrastructure;
using ChatKit.Tests.Mcp;
using ModelContextProtocol.Client;

namespace ChatKit.Tests.Fast.Mcp;

/// <summary>
/// The tasks' MCP server through the API's public <c>/mcp</c>, with the SDK's own client and MCP access tokens minted
/// like Better Auth's OAuth provider mints them (EdDSA through the fixture's JWKS, audience the MCP resource).
/// </summary>
public sealed class McpServerTests(ServicesApp fixture) : IClassFixture<ServicesApp>
{
    static readonly string[] FiveTools = ["add_task", "complete_task", "delete_task", "list_tasks", "update_task"];

    [Fact]
    public async Task TheClientListsTheFiveTaskToolsWithTheKernelFunctionsDescriptionsSchemasAndAnnotations()
    {
        await using var mcp = await ConnectAsync(TestTokens.Mcp(NewUser()));

        var tools = await mcp.ListToolsAsync();

        Assert.Equal(FiveTools, tools.Select(t => t.Name).Order());
        var add = tools.Single(t => t.Name == "add_task");
        Assert.StartsWith("Adds one new task to the user's to-do list", add.Description);
        var schema = add.ProtocolTool.InputSchema;
        Assert.Equal("object", schema.GetProperty("type").GetString());
        Assert.Contains("title", schema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("string", schema.GetProperty("properties").GetProperty("title").GetProperty("type").GetString());
        Assert.False(schema.TryGetProperty("condition", out _));
        Assert.Equal("integer", tools.Single(t => t.Name == "delete_task").ProtocolTool.InputSchema
            .GetProperty("properties").GetProperty("task_id").GetProperty("type").GetString());

        var annotations = tools.ToDictionary(t => t.Name, t => t.ProtocolTool.Annotations!);
        Assert.True(annotations["list_tasks"].ReadOnlyHint);
        Assert.All(["add_task", "complete_task", "update_task", "delete_task"], name => Assert.False(annotations[name].ReadOnlyHint));
        Assert.True(annotations["delete_task"].DestructiveHint);
        Assert.True(annotations["update_task"].DestructiveHint);
        Assert.False(annotations["add_task"].DestructiveHint);
        Assert.False(annotations["complete_task"].DestructiveHint);
        Assert.All(annotations.Values, a => Assert.False(a.OpenWorldHint));
    }

    [Fact]
    public async Task EachToolActsOnTheTokensUserAndTheRestApiSeesTheSameTasks()
    {
        var user = NewUser();
        await using var mcp = await ConnectAsync(TestTokens.Mcp(user));

        var added = await mcp.CallAsync("add_task", new { title = "buy milk", description = "2 litres" });
        Assert.NotEqual(true, added.IsError);
        var id = added.Json().GetProperty("task_id").GetInt64();
        Assert.Equal("created", added.Json().GetProperty("status").GetString());
        Assert.Equal(added.Json().GetRawText(), added.StructuredContent?.GetRawText());

        var listed = (await mcp.CallAsync("list_tasks", new { status = "pending" })).Json();
        var only = Assert.Single(listed.GetProperty("tasks").EnumerateArray());
        Assert.Equal(id, only.GetProperty("task_id").GetInt64());

        var updated = (await mcp.CallAsync("update_task", new { task_id = id, title = "buy oat milk" })).Json();
        Assert.Equal("buy oat milk", updated.GetProperty("title").GetString());
        Assert.Equal("completed", (await mcp.CallAsync("complete_task", new { task_id = id })).Json().GetProperty("status").GetString());

        using var rest = fixture.CreateClientFor(user);
        var task = await rest.GetFromJsonAsync<JsonElement>($"/api/tasks/{id}");
        Assert.Equal("buy oat milk", task.GetProperty("title").GetString());
        Assert.True(task.GetProperty("completed").GetBoolean());

        Assert.Equal("deleted", (await mcp.CallAsync("delete_task", new { task_id = id })).Json().GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await rest.GetAsync($"/api/tasks/{id}")).StatusCode);
    }

    [Fact]
    public async Task AnotherUsersTaskIsNotFoundAndStaysUntouched()
    {
        var owner = NewUser();
        using var rest = fixture.CreateClientFor(owner);
        var created = await rest.PostAsJsonAsync("/api/tasks", new { title = "private" });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await using var intruder = await ConnectAsync(TestTokens.Mcp(NewUser()));

        foreach (var (tool, arguments) in new (string, object)[]
                 {
                     ("complete_task", new { task_id = id }), ("update_task", new { task_id = id, title = "mine now" }),
                     ("delete_task", new { task_id = id }),
                 })
        {
            var result = await intruder.CallAsync(tool, arguments);
            Assert.True(result.IsError, tool);
            Assert.Equal("not_found", result.Json().GetProperty("code").GetString());
        }
        Assert.Empty((await intruder.CallAsync("list_tasks", new { })).Json().GetProperty("tasks").EnumerateArray());
        var task = await rest.GetFromJsonAsync<JsonElement>($"/api/tasks/{id}");
        Assert.Equal("private", task.GetProperty("title").GetString());
        Assert.False(task.GetProperty("completed").GetBoolean());
    }

    [Fact]
    public async Task BadArgumentsAreToolErrorsWithAClearMessage()
    {
        await using var mcp = await ConnectAsync(TestTokens.Mcp(NewUser()));

        var cases = new (string Tool, object Arguments, string Code, string Mentions)[]
        {
            ("add_task", new { description = "no title" }, "invalid_argument", "title"),
            ("add_task", new { title = new string('x', 300) }, "invalid_argument", "200"),
            ("complete_task", new { task_id = "abc" }, "invalid_argument", "task_id"),
            ("update_task", new { task_id = 1 }, "invalid_argument", "title or description"),
            ("list_tasks", new { status = "someday" }, "invalid_argument", "pending"),
            ("delete_task", new { task_id = 987654321 }, "not_found", "987654321"),
        };
        foreach (var (tool, arguments, code, mentions) in cases)
        {
            var result = await mcp.CallAsync(tool, arguments);
            Assert.True(result.IsError, $"{tool} {JsonSerializer.Serialize(arguments)}");
            var error = result.Json();
            Assert.Equal(code, error.GetProperty("code").GetString());
            Assert.Contains(mentions, error.GetProperty("message").GetString());
        }
    }

    [Fact]
    public async Task AReadOnlyTokenListsTasksButCannotChangeThem()
    {
        await using var mcp = await ConnectAsync(TestTokens.Mcp(NewUser(), scope: "tasks:read"));

        Assert.NotEqual(true, (await mcp.CallAsync("list_tasks", new { })).IsError);
        var refused = await mcp.CallAsync("add_task", new { title = "sneaky" });
        Assert.True(refused.IsError);
        Assert.Equal("insufficient_scope", refused.Json().GetProperty("code").GetString());
        Assert.Contains("tasks:write", refused.Json().GetProperty("message").GetString());
    }

    [Fact]
    public async Task WithoutATokenMcpAnswers401NamingTheResourceMetadata()
    {
        using var http = fixture.CreateClient();
        using var response = await http.PostAsync("/mcp", Initialize());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains("resource_metadata=\"http://mcp.tests.local/.well-known/oauth-protected-resource/mcp\"", challenge.Parameter);
        Assert.Contains("scope=\"tasks:read tasks:write offline_access\"", challenge.Parameter);
    }

    [Theory]
    [InlineData("/.well-known/oauth-protected-resource")]
    [InlineData("/.well-known/oauth-protected-resource/mcp")]
    public async Task TheProtectedResourceMetadataNamesTheResourceItsScopesAndBetterAuth(string path)
    {
        using var http = fixture.CreateClient();
        var metadata = await http.GetFromJsonAsync<JsonElement>(path);

        Assert.Equal(TestTokens.McpResource, metadata.GetProperty("resource").GetString());
        Assert.Equal([TestTokens.McpIssuer], metadata.GetProperty("authorization_servers").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["tasks:read", "tasks:write", "offline_access"], metadata.GetProperty("scopes_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["header"], metadata.GetProperty("bearer_methods_supported").EnumerateArray().Select(e => e.GetString()));
    }

    public static TheoryData<string> RefusedTokens => new()
    {
        "expired", "wrong audience", "wrong issuer", "session token", "better auth jwt", "unsigned", "foreign key",
    };

    [Theory]
    [MemberData(nameof(RefusedTokens))]
    public async Task McpRefusesEveryTokenButAValidMcpAccessToken(string kind)
    {
        var user = NewUser();
        var token = kind switch
        {
            "expired" => TestTokens.Mcp(user, lifetime: TimeSpan.FromMinutes(-5)),
            "wrong audience" => TestTokens.Mcp(user, audience: "http://other.tests.local/mcp"),
            "wrong issuer" => TestTokens.Mcp(user, issuer: TestTokens.Issuer),
            "session token" => TestTokens.Session(user),
            "better auth jwt" => TestTokens.BetterAuth(user, key: TestKeys.EdDsa),
            "unsigned" => TestTokens.Mcp(user).Split('.') is var p ? p[0] + "." + p[1] + "." : "",
            _ => TestTokens.Mcp(user, key: new Ed25519TestKey()),
        };
        using var http = fixture.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = Initialize() };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("error=\"invalid_token\"", Assert.Single(response.Headers.WwwAuthenticate).Parameter);
    }

    [Fact]
    public async Task ATokenWithoutATaskScopeIsForbiddenWithAnInsufficientScopeChallenge()
    {
        using var http = fixture.CreateClient().WithToken(TestTokens.Mcp(NewUser(), scope: "openid profile"));
        using var response = await http.PostAsync("/mcp", Initialize());

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("error=\"insufficient_scope\"", Assert.Single(response.Headers.WwwAuthenticate).Parameter);
    }

    [Theory]
    [InlineData("/api/tasks")]
    [InlineData("/api/chatkit/threads")]
    public async Task AnMcpAccessTokenIsRefusedEverywhereElse(string path)
    {
        using var api = fixture.CreateClient().WithToken(TestTokens.Mcp(NewUser()));
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync(path)).StatusCode);
        using var agent = fixture.CreateClient("agent").WithToken(TestTokens.Mcp(NewUser()));
        Assert.Equal(HttpStatusCode.Unauthorized, (await agent.GetAsync("/api/tasks")).StatusCode);
    }

    [Fact]
    public async Task TheAgentChecksTheMcpTokenItselfToo()
    {
        using var agent = fixture.CreateClient("agent");
        using var anonymous = await agent.PostAsync("/mcp", Initialize());
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var withSession = await fixture.CreateClient("agent").WithToken(TestTokens.Session(NewUser())).PostAsync("/mcp", Initialize());
        Assert.Equal(HttpStatusCode.Unauthorized, withSession.StatusCode);

        await using var direct = await McpClients.ConnectAsync(agent, new Uri(agent.BaseAddress!, "/mcp"), TestTokens.Mcp(NewUser()));
        Assert.Equal(5, (await direct.ListToolsAsync()).Count);
    }

    [Fact]
    public async Task EachPersonsMcpRequestsShareTheWriteRateLimitAndTheRestGetA429WithRetryAfter()
    {
        using var http = fixture.CreateClient().WithToken(TestTokens.Mcp(NewUser()));
        http.DefaultRequestHeaders.Add("Accept", "application/json, text/event-stream");
        // RateLimits:Writes allows 100 per 10 s per user and every MCP request counts: 130 at once (the window must not
        // roll over between them on a slow machine) leave some refused before they reach the agent.
        var responses = await Task.WhenAll(Enumerable.Range(0, 130).Select(_ => http.PostAsync("/mcp", Initialize())));

        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        var limited = responses.FirstOrDefault(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.NotNull(limited);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        // Someone else is not held back.
        using var other = fixture.CreateClient().WithToken(TestTokens.Mcp(NewUser()));
        other.DefaultRequestHeaders.Add("Accept", "application/json, text/event-stream");
        Assert.Equal(HttpStatusCode.OK, (await other.PostAsync("/mcp", Initialize())).StatusCode);
    }

    Task<McpClient> ConnectAsync(string token)
    {
        var http = fixture.CreateClient();
        return McpClients.ConnectAsync(http, new Uri(http.BaseAddress!, "/mcp"), token);
    }

    static StringContent Initialize() => new(
        """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}""",
        System.Text.Encoding.UTF8, "application/json");

    static string NewUser() => "mcp-user-" + Guid.NewGuid().ToString("N")[..12];
}
