using System.Text.Json;
using ChatKit.Tests.Web;

namespace ChatKit.Tests.Mcp;

/// <summary>
/// The whole MCP authorization flow against the running app with the web app on: Better Auth's OAuth provider issues
/// the tokens, the API's /mcp (through the web app's origin) accepts them, and nothing else does.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class McpOAuthTests(WebAppFixture fixture)
{
    [Fact]
    public async Task AnMcpClientDiscoversRegistersIsAuthorizedWithPkceAndConsentAndManagesThePersonsTasks()
    {
        var flow = new OAuthFlow(fixture.WebUrl);
        await flow.SignUpAsync("mira");

        // Discovery: the 401 → protected resource metadata → authorization server metadata.
        var resourceMetadataUrl = await flow.ResourceMetadataUrlFromChallengeAsync();
        Assert.Equal(flow.Origin + "/.well-known/oauth-protected-resource/mcp", resourceMetadataUrl);
        var resource = await flow.GetJsonAsync(resourceMetadataUrl);
        Assert.Equal(flow.Resource, resource.GetProperty("resource").GetString());
        var issuer = Assert.Single(resource.GetProperty("authorization_servers").EnumerateArray()).GetString()!;
        Assert.Equal(flow.Origin + "/api/auth", issuer);
        var server = await flow.GetJsonAsync(flow.Origin + "/.well-known/oauth-authorization-server/api/auth");
        Assert.Equal(issuer, server.GetProperty("issuer").GetString());
        Assert.Contains("S256", server.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("tasks:write", server.GetProperty("scopes_supported").EnumerateArray().Select(e => e.GetString()));

        // Registration, then authorization as the signed-in person, consent, and the code for tokens.
        var clientId = await flow.RegisterAsync(server.GetProperty("registration_endpoint").GetString()!, "Test MCP client");
        var (consentPage, verifier, state) = await flow.AuthorizeAsync(
            server.GetProperty("authorization_endpoint").GetString()!, clientId, "openid offline_access tasks:read tasks:write");
        Assert.Equal("/consent", consentPage.AbsolutePath);
        Assert.Equal(clientId, OAuthFlow.QueryOf(consentPage)["client_id"]);
        var callback = await flow.ConsentAsync(consentPage, accept: true);
        Assert.StartsWith(OAuthFlow.RedirectUri, callback.GetLeftPart(UriPartial.Path));
        var answer = OAuthFlow.QueryOf(callback);
        Assert.Equal(state, answer["state"]);
        Assert.Equal(issuer, answer["iss"]);

        var tokenEndpoint = server.GetProperty("token_endpoint").GetString()!;
        var (status, tokens) = await flow.TokenAsync(tokenEndpoint, new()
        {
            ["grant_type"] = "authorization_code", ["code"] = answer["code"], ["redirect_uri"] = OAuthFlow.RedirectUri,
            ["client_id"] = clientId, ["code_verifier"] = verifier, ["resource"] = flow.Resource,
        });
        Assert.True(status == HttpStatusCode.OK, tokens.GetRawText());
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        var refreshToken = tokens.GetProperty("refresh_token").GetString()!;
        Assert.Equal("EdDSA", OAuthFlow.Header(accessToken).GetProperty("alg").GetString());
        var claims = OAuthFlow.Payload(accessToken);
        Assert.Equal(issuer, claims.GetProperty("iss").GetString());
        Assert.Contains(flow.Resource, Audiences(claims));
        Assert.Contains("tasks:write", claims.GetProperty("scope").GetString());

        // The SDK's MCP client with that token, through the web app's origin: the five tools, a task for this person.
        using (var http = new HttpClient())
        await using (var mcp = await McpClients.ConnectAsync(http, new Uri(flow.Resource), accessToken))
        {
            Assert.Equal(5, (await mcp.ListToolsAsync()).Count);
            var added = await mcp.CallAsync("add_task", new { title = "water the plants" });
            Assert.NotEqual(true, added.IsError);
        }
        using var page = flow.WithBearer(await flow.BetterAuthTokenAsync());
        var listed = await page.GetFromJsonAsync<JsonElement>("/api/tasks");
        Assert.Contains("water the plants", listed.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("title").GetString()));

        // Refresh: a new access token that works; the spent refresh token does not come back.
        var (refreshed, renewed) = await flow.TokenAsync(tokenEndpoint, new()
        {
            ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken, ["client_id"] = clientId, ["resource"] = flow.Resource,
        });
        Assert.True(refreshed == HttpStatusCode.OK, renewed.GetRawText());
        var newAccessToken = renewed.GetProperty("access_token").GetString()!;
        Assert.Contains(flow.Resource, Audiences(OAuthFlow.Payload(newAccessToken)));
        using (var http = new HttpClient())
        await using (var mcp = await McpClients.ConnectAsync(http, new Uri(flow.Resource), newAccessToken))
        {
            var tasks = (await mcp.CallAsync("list_tasks", new { })).Json();
            Assert.Equal("water the plants", Assert.Single(tasks.GetProperty("tasks").EnumerateArray()).GetProperty("title").GetString());
        }
        var (replayed, replayBody) = await flow.TokenAsync(tokenEndpoint, new()
        {
            ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken, ["client_id"] = clientId, ["resource"] = flow.Resource,
        });
        Assert.True(replayed != HttpStatusCode.OK, replayBody.GetRawText());
        Assert.NotEqual(refreshToken, renewed.GetProperty("refresh_token").GetString());

        // Each token only where it belongs: the MCP token not on the tasks API, the person's own JWT not on /mcp.
        using var mcpTokenOnRest = flow.WithBearer(newAccessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await mcpTokenOnRest.GetAsync("/api/tasks")).StatusCode);
        using var jwtOnMcp = flow.WithBearer(await flow.BetterAuthTokenAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await jwtOnMcp.PostAsync("/mcp", JsonContent.Create(new { jsonrpc = "2.0", id = 1, method = "tools/list" }))).StatusCode);
    }

    [Fact]
    public async Task TheTypeScriptSdksOAuthClientTheOneMcpInspectorUsesConnectsListsTheToolsAndAddsATask()
    {
        var (exitCode, output) = await WebProject.NodeAsync(TimeSpan.FromMinutes(2), [], "tests/mcp/sdk-client.mjs", fixture.WebUrl.ToString());

        Assert.True(exitCode == 0, output);
        Assert.Contains("scope=tasks:read tasks:write offline_access", output);
        Assert.Contains("tools add_task, list_tasks, complete_task, update_task, delete_task", output);
        Assert.EndsWith("OK", output.Trim());
    }

    [Fact]
    public async Task DenyingConsentSendsTheClientAwayWithoutACode()
    {
        var flow = new OAuthFlow(fixture.WebUrl);
        await flow.SignUpAsync("nico");
        var server = await flow.GetJsonAsync(flow.Origin + "/.well-known/oauth-authorization-server/api/auth");
        var clientId = await flow.RegisterAsync(server.GetProperty("registration_endpoint").GetString()!, "Unwanted client");
        var (consentPage, _, state) = await flow.AuthorizeAsync(server.GetProperty("authorization_endpoint").GetString()!, clientId, "tasks:read");

        var callback = OAuthFlow.QueryOf(await flow.ConsentAsync(consentPage, accept: false));

        Assert.Equal("access_denied", callback["error"]);
        Assert.Equal(state, callback["state"]);
        Assert.False(callback.ContainsKey("code"));
    }

    [Fact]
    public async Task ABrowserClientOnAnotherOriginMayReadTheMetadataAndRegister()
    {
        // MCP Inspector runs in a browser at http://localhost:6274 and calls these from there.
        const string inspector = "http://localhost:6274";
        using var http = new HttpClient { BaseAddress = fixture.WebUrl };
        foreach (var path in new[] { "/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-authorization-server/api/auth",
                     "/api/auth/oauth2/register", "/api/auth/oauth2/token", "/mcp" })
        {
            using var preflight = new HttpRequestMessage(HttpMethod.Options, path);
            preflight.Headers.Add("Origin", inspector);
            preflight.Headers.Add("Access-Control-Request-Method", "POST");
            preflight.Headers.Add("Access-Control-Request-Headers", "content-type, authorization, mcp-protocol-version");
            using var answer = await http.SendAsync(preflight);
            Assert.True(answer.IsSuccessStatusCode, $"{path}: {answer.StatusCode}");
            Assert.Equal("*", Assert.Single(answer.Headers.GetValues("Access-Control-Allow-Origin")));
        }

        using var metadata = new HttpRequestMessage(HttpMethod.Get, "/.well-known/oauth-protected-resource/mcp");
        metadata.Headers.Add("Origin", inspector);
        using var metadataAnswer = await http.SendAsync(metadata);
        Assert.Equal(HttpStatusCode.OK, metadataAnswer.StatusCode);
        Assert.Equal("*", Assert.Single(metadataAnswer.Headers.GetValues("Access-Control-Allow-Origin")));

        using var register = new HttpRequestMessage(HttpMethod.Post, "/api/auth/oauth2/register")
        {
            Content = JsonContent.Create(new
            {
                client_name = "MCP Inspector", redirect_uris = new[] { inspector + "/oauth/callback" },
                grant_types = new[] { "authorization_code", "refresh_token" }, response_types = new[] { "code" },
                token_endpoint_auth_method = "none",
            }),
        };
        register.Headers.Add("Origin", inspector);
        using var registered = await http.SendAsync(register);
        Assert.True(registered.IsSuccessStatusCode, $"{registered.StatusCode} {await registered.Content.ReadAsStringAsync()}");
        Assert.Equal("*", Assert.Single(registered.Headers.GetValues("Access-Control-Allow-Origin")));
    }

    static IEnumerable<string?> Audiences(JsonElement claims) =>
        claims.GetProperty("aud") is { ValueKind: JsonValueKind.Array } list ? list.EnumerateArray().Select(e => e.GetString()) : [claims.GetProperty("aud").GetString()];
}
