using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ChatKit.Tests.Infrastructure;

/// <summary>
/// Mints real Better Auth-shaped tokens (sub, email, name, iss, aud, exp; no typ) with the test keys the
/// AppHost is configured with. No middleware signs anyone in: every request carries a token the services validate.
/// </summary>
public static class TestTokens
{
    public const string Issuer = "http://better-auth.tests.local";
    public const string Audience = "http://better-auth.tests.local";
    /// <summary>BETTER_AUTH_SECRET of the tests (HS256 shared-secret mode); 32+ bytes as required.</summary>
    public const string Secret = "chatkit-tests-better-auth-secret-0123456789abcdef";

    /// <summary>AppHost arguments that make the services trust these tokens.</summary>
    public static IEnumerable<string> AppHostArguments =>
    [
        $"--Parameters:better-auth-secret={Secret}",
        $"--Auth:BetterAuth:Issuer={Issuer}",
        $"--Auth:BetterAuth:Audience={Audience}",
    ];

    /// <summary>A Better Auth HS256 JWT for the user, valid for 15 minutes unless told otherwise.</summary>
    public static string BetterAuth(string userId, TimeSpan? lifetime = null, Action<Dictionary<string, object>>? claims = null,
        string issuer = Issuer, string audience = Audience)
    {
        var now = DateTime.UtcNow;
        var payload = new Dictionary<string, object>
        {
            ["sub"] = userId,
            ["id"] = userId,
            ["email"] = $"{userId}@example.test",
            ["name"] = userId,
        };
        claims?.Invoke(payload);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + (lifetime ?? TimeSpan.FromMinutes(15)),
            Claims = payload,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Secret)), SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>Sets the bearer token of a client to a fresh Better Auth token for the user.</summary>
    public static HttpClient As(this HttpClient client, string userId)
    {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", BetterAuth(userId));
        return client;
    }
}
