using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace ChatKit.Tests.Mcp;

/// <summary>
/// An MCP client's OAuth flow against the running web app, step by step as the MCP authorization spec describes it:
/// discovery from the 401, the two metadata documents, dynamic registration, authorization with PKCE as a person whose
/// browser (a cookie jar) is signed in, consent, the code for tokens, refresh.
/// </summary>
public sealed class OAuthFlow(Uri webUrl)
{
    public const string RedirectUri = "http://127.0.0.1:33418/callback";
    public string Origin { get; } = webUrl.GetLeftPart(UriPartial.Authority);
    public string Resource => Origin + "/mcp";

    /// <summary>The signed-in person's browser: Better Auth's session cookie, same-origin requests.</summary>
    public HttpClient Browser { get; } = NewBrowser(webUrl);

    /// <summary>The MCP client's own HTTP (no cookies, no redirects followed).</summary>
    public HttpClient Client { get; } = new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = webUrl };

    static HttpClient NewBrowser(Uri webUrl)
    {
        var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = webUrl };
        http.DefaultRequestHeaders.Add("Origin", webUrl.GetLeftPart(UriPartial.Authority));
        return http;
    }

    public async Task SignUpAsync(string name)
    {
        var email = $"{name}-{Guid.NewGuid():N}@example.test";
        var response = await Browser.PostAsJsonAsync("/api/auth/sign-up/email", new { email, password = "correct horse battery", name });
        Assert.True(response.IsSuccessStatusCode, $"sign-up: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The person's own Better Auth JWT (what the chat page uses).</summary>
    public async Task<string> BetterAuthTokenAsync()
    {
        var response = await Browser.GetAsync("/api/auth/token");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString()!;
    }

    /// <summary>Step 1: an unauthenticated MCP request; the 401's challenge names the protected resource metadata.</summary>
    public async Task<string> ResourceMetadataUrlFromChallengeAsync()
    {
        using var response = await Client.PostAsync("/mcp", new StringContent(
            """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""",
            Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        var match = System.Text.RegularExpressions.Regex.Match(challenge.Parameter ?? "", "resource_metadata=\"([^\"]+)\"");
        Assert.True(match.Success, challenge.ToString());
        return match.Groups[1].Value;
    }

    public async Task<JsonElement> GetJsonAsync(string url)
    {
        using var response = await Client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {url}: {response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Dynamic client registration (RFC 7591) of a public client, as MCP clients do it.</summary>
    public async Task<string> RegisterAsync(string registrationEndpoint, string clientName)
    {
        using var response = await Client.PostAsJsonAsync(registrationEndpoint, new
        {
            client_name = clientName,
            redirect_uris = new[] { RedirectUri },
            grant_types = new[] { "authorization_code", "refresh_token" },
            response_types = new[] { "code" },
            token_endpoint_auth_method = "none",
            application_type = "native",
            scope = "openid offline_access tasks:read tasks:write",
        });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"register: {response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("client_id").GetString()!;
    }

    /// <summary>
    /// The authorization request with PKCE (S256) and the resource, sent by the signed-in browser; Better Auth redirects
    /// it to the consent page with its signed copy of the request. Returns that page's URL and the PKCE verifier.
    /// </summary>
    public async Task<(Uri ConsentPage, string Verifier, string State)> AuthorizeAsync(string authorizationEndpoint, string clientId, string scope)
    {
        var verifier = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var state = Guid.NewGuid().ToString("N");
        var query = new Dictionary<string, string>
        {
            ["response_type"] = "code", ["client_id"] = clientId, ["redirect_uri"] = RedirectUri, ["scope"] = scope,
            ["state"] = state, ["code_challenge"] = challenge, ["code_challenge_method"] = "S256", ["resource"] = Resource,
        };
        var url = authorizationEndpoint + "?" + string.Join("&", query.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("text/html");
        using var response = await Browser.SendAsync(request);
        var location = response.Headers.Location?.OriginalString ?? RedirectIn(await response.Content.ReadAsStringAsync());
        Assert.True(location is not null, $"authorize: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (new Uri(new Uri(Origin), location!), verifier, state);
    }

    /// <summary>The consent page's answer, as its form sends it: the signed request back with accept.</summary>
    public async Task<Uri> ConsentAsync(Uri consentPage, bool accept)
    {
        using var response = await Browser.PostAsJsonAsync("/api/auth/oauth2/consent", new { accept, oauth_query = consentPage.Query.TrimStart('?') });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"consent: {response.StatusCode} {body}");
        return new Uri(JsonDocument.Parse(body).RootElement.GetProperty("url").GetString()!);
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> TokenAsync(string tokenEndpoint, Dictionary<string, string> form)
    {
        using var response = await Client.PostAsync(tokenEndpoint, new FormUrlEncodedContent(form));
        var body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(body).RootElement.Clone());
    }

    public static Dictionary<string, string> QueryOf(Uri url) =>
        url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .GroupBy(p => Uri.UnescapeDataString(p[0])) // repeated names (Better Auth's ba_param): the first
            .ToDictionary(g => g.Key, g => Uri.UnescapeDataString(g.First() is var p && p.Length > 1 ? p[1].Replace('+', ' ') : ""));

    public static JsonElement Payload(string jwt) =>
        JsonDocument.Parse(Base64UrlEncoder.Decode(jwt.Split('.')[1])).RootElement.Clone();

    public static JsonElement Header(string jwt) =>
        JsonDocument.Parse(Base64UrlEncoder.Decode(jwt.Split('.')[0])).RootElement.Clone();

    static string? RedirectIn(string body)
    {
        try
        {
            return JsonDocument.Parse(body).RootElement.TryGetProperty("url", out var url) ? url.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public HttpClient WithBearer(string token)
    {
        var http = new HttpClient { BaseAddress = new Uri(Origin) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }
}
