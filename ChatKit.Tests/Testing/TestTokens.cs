using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace ChatKit.Testing;

/// <summary>
/// Mints real tokens with the test keys the AppHost is configured with: Better Auth-shaped JWTs (the user object, sub,
/// iss, aud, iat, exp; no typ) for every algorithm, and ChatKit session tokens. No middleware signs anyone in: every
/// request carries a token the services validate. Tokens are assembled by hand so that tests can also mint broken ones.
/// </summary>
public static class TestTokens
{
    public const string Issuer = "http://better-auth.tests.local";
    public const string Audience = "http://better-auth.tests.local";
    /// <summary>BETTER_AUTH_SECRET of the tests (HS256 shared-secret mode); 32+ bytes as required.</summary>
    public const string Secret = "chatkit-tests-better-auth-secret-0123456789abcdef";

    /// <summary>The key of ChatKit session tokens in the tests (a key of its own, never the Better Auth secret).</summary>
    public const string SessionKey = "chatkit-tests-session-signing-key-fedcba9876543210";

    /// <summary>
    /// AppHost arguments that make the services trust the HS256 tokens and sign session tokens with
    /// <see cref="SessionKey"/> (the fixture adds its JWKS URL).
    /// </summary>
    public static IEnumerable<string> AppHostArguments =>
    [
        $"--Parameters:better-auth-secret={Secret}",
        $"--Parameters:chatkit-session-signing-key={SessionKey}",
        $"--Auth:BetterAuth:Issuer={Issuer}",
        $"--Auth:BetterAuth:Audience={Audience}",
    ];

    /// <summary>The same settings as a service's own configuration (an in-process service, as the AppHost passes them).</summary>
    public static IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Auth:BetterAuth:Secret"] = Secret,
        ["Auth:BetterAuth:Issuer"] = Issuer,
        ["Auth:BetterAuth:Audience"] = Audience,
        ["ChatKit:SessionSigningKey"] = SessionKey,
    };

    /// <summary>The MCP settings of a service (<see cref="McpAppHostArguments"/> as its own configuration).</summary>
    public static IReadOnlyDictionary<string, string> McpSettings { get; } = new Dictionary<string, string>
    {
        ["Auth:Mcp:Resource"] = McpResource,
        ["Auth:Mcp:Issuer"] = McpIssuer,
    };

    /// <summary>The MCP resource the test AppHost protects (<c>Auth:Mcp:Resource</c>) and the issuer of its access tokens.</summary>
    public const string McpResource = "http://mcp.tests.local/mcp";
    public const string McpIssuer = Issuer + "/api/auth";

    /// <summary>AppHost arguments that turn the MCP resource on (the fixture's JWKS serves its keys).</summary>
    public static IEnumerable<string> McpAppHostArguments =>
        [$"--Auth:Mcp:Resource={McpResource}", $"--Auth:Mcp:Issuer={McpIssuer}"];

    /// <summary>
    /// An MCP access token as Better Auth's OAuth provider issues it (EdDSA, <c>aud</c> the resource, <c>azp</c> the
    /// client, space-separated <c>scope</c>), signed with the key the fixture's JWKS publishes.
    /// </summary>
    public static string Mcp(string userId, string scope = "tasks:read tasks:write", TimeSpan? lifetime = null,
        string audience = McpResource, string issuer = McpIssuer, TestKey? key = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return Sign(key ?? TestKeys.EdDsa, new Dictionary<string, object>
        {
            ["sub"] = userId,
            ["azp"] = "test-mcp-client",
            ["scope"] = scope,
            ["iat"] = now,
            ["exp"] = now + (long)(lifetime ?? TimeSpan.FromHours(1)).TotalSeconds,
            ["iss"] = issuer,
            ["aud"] = audience,
        });
    }

    /// <summary>A Better Auth JWT for the user, valid for 15 minutes unless told otherwise; HS256 unless another key is given.</summary>
    public static string BetterAuth(string userId, TimeSpan? lifetime = null, Action<Dictionary<string, object>>? claims = null,
        string issuer = Issuer, string audience = Audience, TestKey? key = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var payload = new Dictionary<string, object>
        {
            ["id"] = userId,
            ["name"] = userId,
            ["email"] = $"{userId}@example.test",
            ["emailVerified"] = true,
            ["sub"] = userId,
            ["iat"] = now,
            ["exp"] = now + (long)(lifetime ?? TimeSpan.FromMinutes(15)).TotalSeconds,
            ["iss"] = issuer,
            ["aud"] = audience,
        };
        claims?.Invoke(payload);
        return Sign(key ?? TestKeys.Hs256, payload);
    }

    /// <summary>
    /// A ChatKit session token as the API mints it ({user_id, sub, type, iat, exp, jti}), signed with the session key of
    /// the shared fixture (<see cref="SessionKey"/>).
    /// </summary>
    public static string Session(string userId, DateTimeOffset? issuedAt = null, TimeSpan? lifetime = null,
        string type = "chatkit_session", TestKey? key = null, DateTimeOffset? chainStart = null)
    {
        var iat = (issuedAt ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        var claims = new Dictionary<string, object>
        {
            ["user_id"] = userId,
            ["sub"] = userId,
            ["type"] = type,
            ["iat"] = iat,
            ["exp"] = iat + (long)(lifetime ?? TimeSpan.FromMinutes(30)).TotalSeconds,
            ["jti"] = Guid.NewGuid().ToString("N"),
        };
        if (chainStart is { } start) claims["orig_iat"] = start.ToUnixTimeSeconds();
        return Sign(key ?? TestKeys.Session, claims);
    }

    /// <summary>A compact JWS over the payload; <paramref name="key"/> null gives an unsigned <c>alg: none</c> token.</summary>
    public static string Sign(TestKey? key, IReadOnlyDictionary<string, object> payload, IReadOnlyDictionary<string, object>? header = null)
    {
        var head = new Dictionary<string, object> { ["alg"] = key?.Algorithm ?? "none" };
        if (key?.KeyId is { } kid) head["kid"] = kid;
        foreach (var (name, value) in header ?? new Dictionary<string, object>()) head[name] = value;
        var signingInput = Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(head)) + "."
                           + Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(payload));
        var signature = key is null ? "" : Base64UrlEncoder.Encode(key.Sign(Encoding.ASCII.GetBytes(signingInput)));
        return signingInput + "." + signature;
    }

    /// <summary>Sets the bearer token of a client to a fresh Better Auth token for the user.</summary>
    public static HttpClient As(this HttpClient client, string userId) => client.WithToken(BetterAuth(userId));

    public static HttpClient WithToken(this HttpClient client, string token)
    {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
