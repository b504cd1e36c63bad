using System.Buffers.Text;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ChatKit.Tests.Fast.Infrastructure;

/// <summary>
/// Real tokens for the services under test, signed with the keys their configuration names (<see cref="Settings"/>):
/// Better Auth HS256 JWTs (BETTER_AUTH_SECRET mode: the user object, sub, iss, aud, iat, exp); session tokens
/// come from the API's own /api/chatkit/session. No middleware signs anyone in. The whole-app suite's ChatKit.Tests/Infrastructure/TestTokens.cs mints
/// these and the asymmetric kinds the same way.
/// </summary>
public static class TestTokens
{
    public const string Issuer = "http://better-auth.fasttests.local";
    public const string Audience = "http://better-auth.fasttests.local";
    public const string Secret = "chatkit-fasttests-better-auth-secret-0123456789";
    public const string SessionKey = "chatkit-fasttests-session-signing-key-9876543210";

    /// <summary>The auth settings both services get, as the AppHost passes them.</summary>
    public static IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Auth:BetterAuth:Secret"] = Secret,
        ["Auth:BetterAuth:Issuer"] = Issuer,
        ["Auth:BetterAuth:Audience"] = Audience,
        ["ChatKit:SessionSigningKey"] = SessionKey,
    };

    public static string BetterAuth(string userId)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return Sign(Secret, new Dictionary<string, object>
        {
            ["id"] = userId, ["name"] = userId, ["email"] = $"{userId}@example.test", ["emailVerified"] = true,
            ["sub"] = userId, ["iat"] = now, ["exp"] = now + 900, ["iss"] = Issuer, ["aud"] = Audience,
        });
    }

    public static HttpClient WithToken(this HttpClient client, string token)
    {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    static string Sign(string key, Dictionary<string, object> payload)
    {
        var input = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new { alg = "HS256" })) + "."
                    + Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(payload));
        return input + "." + Base64Url.EncodeToString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.ASCII.GetBytes(input)));
    }
}
