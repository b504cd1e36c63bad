using System.Text.Json;
using ChatKit.Tests.Fast.Infrastructure;
using static ChatKit.Tests.Infrastructure.ChatKitCalls;

namespace ChatKit.Tests.Fast.Foundation;

/// <summary>Each service's OpenAPI document (/openapi/v1.json) describes its REST endpoints, their statuses and wire shapes.</summary>
public sealed class OpenApiDocumentTests(ApiApp api, AgentApp agent) : IClassFixture<ApiApp>, IClassFixture<AgentApp>
{
    const string DocumentPath = "/openapi/v1.json";

    [Fact]
    public async Task TheApiDocumentListsTheRestEndpointsWithEveryStatusTheyAnswer()
    {
        using var http = api.ClientFor(NewUser("openapi"));
        var document = await http.GetFromJsonAsync<JsonElement>(DocumentPath);

        AssertStatuses(document, "/api/chatkit/threads", "get", "200", "400", "401");
        AssertStatuses(document, "/api/chatkit/threads", "post", "201", "400", "401", "429");
        AssertStatuses(document, "/api/chatkit/threads/{threadId}", "get", "200", "400", "401", "404");
        AssertStatuses(document, "/api/chatkit/threads/{threadId}", "patch", "200", "400", "401", "404", "429");
        AssertStatuses(document, "/api/chatkit/threads/{threadId}", "delete", "204", "401", "404", "429");
        AssertStatuses(document, "/api/chatkit/messages", "post", "200", "400", "401", "404", "413", "429", "503", "504");
        AssertStatuses(document, "/api/chatkit/entities/search", "get", "200", "400", "401", "503", "504");
        AssertStatuses(document, "/api/chatkit/session", "post", "200", "401", "429");
        AssertStatuses(document, "/api/chatkit/refresh", "post", "200", "401", "429");
        AssertStatuses(document, "/api/tasks", "get", "200", "400", "401", "503");
        AssertStatuses(document, "/api/tasks", "post", "201", "400", "401", "429", "503");
        AssertStatuses(document, "/api/tasks/{id}", "get", "200", "401", "404", "503");
        AssertStatuses(document, "/api/tasks/{id}", "patch", "200", "400", "401", "404", "429", "503");
        AssertStatuses(document, "/api/tasks/{id}", "delete", "204", "401", "404", "429", "503");
        AssertStatuses(document, "/api/tasks/{id}/complete", "post", "200", "401", "404", "429", "503");
        // Only Development maps the development token endpoint; the document describes what is mapped.
        Assert.False(document.GetProperty("paths").TryGetProperty("/api/dev/token", out _));
    }

    [Fact]
    public async Task TheApiDocumentsSchemasAreTheWireShapes()
    {
        using var http = api.ClientFor(NewUser("openapi"));
        var document = await http.GetFromJsonAsync<JsonElement>(DocumentPath);

        Assert.Equal(["threads", "has_more", "after"], Properties(document, Response(document, "/api/chatkit/threads", "get", "200")));
        var created = Response(document, "/api/chatkit/threads", "post", "201");
        Assert.Equal(["id", "created_at"], Properties(document, created));
        var body = Operation(document, "/api/chatkit/messages", "post").GetProperty("requestBody");
        Assert.Equal(["thread_id", "message"], Properties(document, body.GetProperty("content").GetProperty("application/json")));
        Assert.True(body.GetProperty("required").GetBoolean());

        var sent = Operation(document, "/api/chatkit/messages", "post").GetProperty("responses").GetProperty("200").GetProperty("content");
        Assert.Equal(["message_id", "response_id", "response", "thread_id"], Properties(document, sent.GetProperty("application/json")));
        Assert.True(sent.TryGetProperty("text/event-stream", out _), sent.GetRawText());

        var notFound = Operation(document, "/api/chatkit/threads/{threadId}", "get").GetProperty("responses").GetProperty("404");
        Assert.True(notFound.GetProperty("content").TryGetProperty("application/problem+json", out _), notFound.GetRawText());
        var security = Operation(document, "/api/chatkit/threads", "get").GetProperty("security");
        Assert.True(security[0].TryGetProperty("Bearer", out _), security.GetRawText());

        // What the service really sends has exactly the described members, and its problem details keep their names.
        using var response = await http.PostAsync("/api/chatkit/threads", null);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(Properties(document, created), (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateObject().Select(p => p.Name));
        using var refused = await http.GetAsync("/api/chatkit/threads?limit=0");
        var problem = await refused.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("invalid_limit", problem.GetProperty("code").GetString());
        Assert.True(problem.TryGetProperty("traceId", out _), problem.GetRawText());
    }

    [Fact]
    public async Task TheAgentDocumentListsTheTasksApi()
    {
        using var http = agent.ClientFor(NewUser("openapi"));
        var document = await http.GetFromJsonAsync<JsonElement>(DocumentPath);

        AssertStatuses(document, "/api/tasks", "get", "200", "400", "401");
        AssertStatuses(document, "/api/tasks", "post", "201", "400", "401");
        AssertStatuses(document, "/api/tasks/{id}", "get", "200", "401", "404");
        AssertStatuses(document, "/api/tasks/{id}", "patch", "200", "400", "401", "404");
        AssertStatuses(document, "/api/tasks/{id}", "delete", "204", "401", "404");
        AssertStatuses(document, "/api/tasks/{id}/complete", "post", "200", "401", "404");
        Assert.Equal(["id", "title", "description", "completed", "created_at", "updated_at"],
            Properties(document, Response(document, "/api/tasks/{id}", "get", "200")));
    }

    [Fact]
    public async Task TheDocumentsNeedAToken()
    {
        using var anonymousApi = api.CreateClient();
        using var anonymousAgent = agent.CreateClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymousApi.GetAsync(DocumentPath)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymousAgent.GetAsync(DocumentPath)).StatusCode);
    }

    static JsonElement Operation(JsonElement document, string path, string method)
    {
        Assert.True(document.GetProperty("paths").TryGetProperty(path, out var item), $"{path} is not in the document");
        Assert.True(item.TryGetProperty(method, out var operation), $"{method} {path} is not in the document");
        return operation;
    }

    static void AssertStatuses(JsonElement document, string path, string method, params string[] statuses)
    {
        var responses = Operation(document, path, method).GetProperty("responses");
        Assert.True(statuses.Order().SequenceEqual(responses.EnumerateObject().Select(r => r.Name).Order()),
            $"{method} {path}: expected {string.Join(", ", statuses)}, described {string.Join(", ", responses.EnumerateObject().Select(r => r.Name))}");
    }

    /// <summary>The application/json content of a response.</summary>
    static JsonElement Response(JsonElement document, string path, string method, string status) =>
        Operation(document, path, method).GetProperty("responses").GetProperty(status).GetProperty("content").GetProperty("application/json");

    /// <summary>The property names of a content's schema, following a $ref into the components.</summary>
    static List<string> Properties(JsonElement document, JsonElement content)
    {
        var schema = content.GetProperty("schema");
        if (schema.TryGetProperty("$ref", out var reference))
            schema = document.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1]);
        return schema.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToList();
    }
}
