using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace ChatKit.Tests.Web;

/// <summary>The web app in the AppHost, over HTTP: health, its own database, and the sign-in chain into the API.</summary>
[Collection(WebCollection.Name)]
public sealed class WebAppTests(WebAppFixture fixture)
{
    [Fact]
    public async Task TheWebAppBecomesHealthyAndTheDashboardLinksToItsSignInPage()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await fixture.App.ResourceNotifications.WaitForResourceHealthyAsync("web", cts.Token);
        var web = await fixture.App.ResourceNotifications.WaitForResourceAsync("web",
            e => e.Snapshot.Urls.Any(u => u.Url.EndsWith("/sign-in")), cts.Token);
        Assert.Contains(web.Snapshot.Urls, u => u.Url.StartsWith(fixture.WebUrl.GetLeftPart(UriPartial.Authority)));

        using var http = new HttpClient { BaseAddress = fixture.WebUrl };
        var page = await http.GetAsync("/sign-in");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Sign in", await page.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PagesSendAContentSecurityPolicyWhoseNonceEveryScriptCarriesAndThatLetsChatKitIn()
    {
        using var http = new HttpClient { BaseAddress = fixture.WebUrl };
        using var page = await http.GetAsync("/sign-in");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var csp = Assert.Single(page.Headers.GetValues("Content-Security-Policy"));
        var nonce = System.Text.RegularExpressions.Regex.Match(csp, "'nonce-([^']+)'").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(nonce), csp);
        Assert.Contains($"script-src 'self' 'nonce-{nonce}' 'strict-dynamic' https://cdn.platform.openai.com", csp);
        Assert.Contains("frame-src https://cdn.platform.openai.com", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("object-src 'none'", csp);
        var scripts = System.Text.RegularExpressions.Regex.Matches(await page.Content.ReadAsStringAsync(), "<script\\b[^>]*>");
        Assert.NotEmpty(scripts);
        Assert.All(scripts, script => Assert.Contains($"nonce=\"{nonce}\"", script.Value));
        Assert.Equal("nosniff", Assert.Single(page.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(page.Headers.GetValues("X-Frame-Options")));
        // Served over plain HTTP on localhost: no HSTS, which would pin the browser to HTTPS for this host.
        Assert.False(page.Headers.Contains("Strict-Transport-Security"));

        using var again = await http.GetAsync("/sign-in");
        Assert.DoesNotContain($"'nonce-{nonce}'", Assert.Single(again.Headers.GetValues("Content-Security-Policy")));
    }

    [Fact]
    public async Task BetterAuthKeepsItsUsersAndKeysInItsOwnDatabase()
    {
        var authTables = await TablesAsync("authdb");
        Assert.Superset(new HashSet<string> { "user", "session", "account", "verification", "jwks" }, authTables);
        Assert.DoesNotContain("user", await TablesAsync("conversationsdb"));
    }

    [Fact]
    public async Task TheApiTrustsTheWebAppsEdDsaTokensAndNoForgedOnes()
    {
        var (http, _) = await SignUpAsync("frank");
        var token = await TokenAsync(http);
        var header = JsonDocument.Parse(Base64Url(token.Split('.')[0])).RootElement;
        var payload = JsonDocument.Parse(Base64Url(token.Split('.')[1])).RootElement;
        Assert.Equal("EdDSA", header.GetProperty("alg").GetString());
        var origin = fixture.WebUrl.GetLeftPart(UriPartial.Authority);
        Assert.Equal(origin, payload.GetProperty("iss").GetString());
        Assert.Equal(origin, payload.GetProperty("aud").GetString());

        using var api = fixture.CreateClient();
        var session = await PostWithTokenAsync(api, "/api/chatkit/session", token);
        Assert.Equal(HttpStatusCode.OK, session.StatusCode);
        var body = JsonDocument.Parse(await session.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(payload.GetProperty("sub").GetString(), body.GetProperty("user_id").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("client_secret").GetString()));

        var parts = token.Split('.');
        var forgedPayload = Convert.ToBase64String(Encoding.UTF8.GetBytes(
            JsonSerializer.Serialize(new { sub = "someone-else", iss = origin, aud = origin, exp = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds() })))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var forged = await PostWithTokenAsync(api, "/api/chatkit/session", $"{parts[0]}.{forgedPayload}.{parts[2]}");
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
    }

    [Fact]
    public async Task TheWebAppForwardsTasksAndChatKitRequestsToTheApiForTheSignedInUserOnly()
    {
        var (alice, _) = await SignUpAsync("grace");
        var secret = await ClientSecretAsync(alice);
        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/tasks") { Content = JsonContent.Create(new { title = "Proxied task" }) };
        create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        var created = await alice.SendAsync(create);
        Assert.True(created.IsSuccessStatusCode, $"{created.StatusCode}: {await created.Content.ReadAsStringAsync()}");
        var taskId = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").ToString();

        var (henry, _) = await SignUpAsync("henry");
        var henrySecret = await ClientSecretAsync(henry);
        using var read = new HttpRequestMessage(HttpMethod.Get, $"/api/tasks/{taskId}");
        read.Headers.Authorization = new AuthenticationHeaderValue("Bearer", henrySecret);
        Assert.Equal(HttpStatusCode.NotFound, (await henry.SendAsync(read)).StatusCode);

        var anonymous = await new HttpClient { BaseAddress = fixture.WebUrl }.GetAsync("/api/tasks");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Theory]
    [InlineData("/api/chatkit/../../health")]
    [InlineData("/api/chatkit/%2e%2e/%2e%2e/health")]
    [InlineData("/api/chatkit/%2E%2E/.%2e/health")]
    [InlineData("/api/chatkit/..%2f..%2fhealth")]
    [InlineData("/api/chatkit/%2e%2e%2f%2e%2e%2fhealth")]
    [InlineData("/api/chatkit/threads/%2e%2e/%2e%2e/%2e%2e/alive")]
    [InlineData("/api/tasks/%2e%2e/%2e%2e/health")]
    public async Task TheProxyNeverReachesAnApiPathOutsideItsPrefixesThroughDotSegments(string path)
    {
        var (signedIn, _) = await SignUpAsync("dots");
        var secret = await ClientSecretAsync(signedIn);
        // Sent exactly as written: HttpClient would otherwise resolve the dot segments before sending.
        var url = new Uri(fixture.WebUrl.GetLeftPart(UriPartial.Authority) + path,
            new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);

        using var response = await signedIn.SendAsync(request);

        // The API's /health and /alive answer "Healthy": the request must not have got there.
        var body = await response.Content.ReadAsStringAsync();
        Assert.False(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        Assert.DoesNotContain("Healthy", body);
    }

    [Fact]
    public async Task AttachmentUploadUrlsPointAtTheWebAppAndUploadThroughIt()
    {
        var (http, _) = await SignUpAsync("ivy");
        var secret = await ClientSecretAsync(http);
        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/chatkit")
        {
            Content = JsonContent.Create(new { type = "attachments.create", @params = new { name = "note.txt", size = 5, mime_type = "text/plain" } }),
        };
        create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        var created = await http.SendAsync(create);
        Assert.True(created.IsSuccessStatusCode, $"{created.StatusCode}: {await created.Content.ReadAsStringAsync()}");
        var upload = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("upload_descriptor");
        var url = new Uri(upload.GetProperty("url").GetString()!);
        Assert.Equal(fixture.WebUrl.GetLeftPart(UriPartial.Authority), url.GetLeftPart(UriPartial.Authority));

        using var form = new MultipartFormDataContent { { new StringContent("hello"), "file", "note.txt" } };
        var uploaded = await http.PostAsync(url, form);
        Assert.True(uploaded.IsSuccessStatusCode, $"{uploaded.StatusCode}: {await uploaded.Content.ReadAsStringAsync()}");
    }

    async Task<(HttpClient Client, string Email)> SignUpAsync(string name)
    {
        var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = fixture.WebUrl };
        http.DefaultRequestHeaders.Add("Origin", fixture.WebUrl.GetLeftPart(UriPartial.Authority));
        var email = $"{name}-{Guid.NewGuid():N}@example.test";
        var response = await http.PostAsJsonAsync("/api/auth/sign-up/email", new { email, password = "correct horse battery", name });
        Assert.True(response.IsSuccessStatusCode, $"sign-up: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (http, email);
    }

    static async Task<string> TokenAsync(HttpClient signedIn)
    {
        var response = await signedIn.GetAsync("/api/auth/token");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString()!;
    }

    /// <summary>The session token, fetched through the web app's same-origin proxy as the page does.</summary>
    static async Task<string> ClientSecretAsync(HttpClient signedIn)
    {
        var response = await PostWithTokenAsync(signedIn, "/api/chatkit/session", await TokenAsync(signedIn));
        Assert.True(response.IsSuccessStatusCode, $"session: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("client_secret").GetString()!;
    }

    static Task<HttpResponseMessage> PostWithTokenAsync(HttpClient http, string path, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http.SendAsync(request);
    }

    static string Base64Url(string part)
    {
        var s = part.Replace('-', '+').Replace('_', '/');
        return Encoding.UTF8.GetString(Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '=')));
    }

    async Task<HashSet<string>> TablesAsync(string database)
    {
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select table_name from information_schema.tables where table_schema = 'public'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var tables = new HashSet<string>();
        while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        return tables;
    }
}
