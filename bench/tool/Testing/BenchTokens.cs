using ChatKit.Testing;

namespace ChatKit.Bench.Testing;

/// <summary>
/// A run's tokens, made with the shared testing library (ChatKit.Testing): a fresh Ed25519 key per run
/// (<see cref="Ed25519TestKey"/>, published by <see cref="JwksServer"/>) and Better Auth-shaped JWTs signed with it by
/// <see cref="TestTokens.BetterAuth"/> (header <c>{alg: "EdDSA", kid}</c> without typ; the user object, sub, iat, exp,
/// iss = aud = the auth base URL); and the HS256 session tokens the verifying PostgreSQL peer checks.
/// </summary>
public sealed class BenchTokens
{
    public const string Issuer = "http://localhost:3000";
    public const string Audience = "http://localhost:3000";

    /// <summary>The run's signing key; its public half is what the run's JWKS server publishes.</summary>
    public Ed25519TestKey Key { get; } = new();

    /// <summary>A Better Auth JWT for the user (4 hours unless told otherwise; a negative lifetime gives an expired one).</summary>
    public string Mint(string userId, TimeSpan? lifetime = null) =>
        TestTokens.BetterAuth(userId, lifetime ?? TimeSpan.FromHours(4), claims: user =>
        {
            user["name"] = "Bench " + userId;
            user["email"] = userId + "@bench.local";
            user["createdAt"] = "2026-01-01T00:00:00.000Z";
            user["updatedAt"] = "2026-01-01T00:00:00.000Z";
        }, issuer: Issuer, audience: Audience, key: Key);

    /// <summary>The key of the HS256 session tokens the verifying PostgreSQL peer checks (a ChatKit client secret).</summary>
    public string SessionSecret { get; } = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    HmacTestKey? sessionKey;

    /// <summary>
    /// An HS256 session token as a ChatKit server mints it (header <c>{alg: "HS256", typ: "JWT"}</c>;
    /// <c>{sub, user_id, type, iat, exp}</c>), signed with <see cref="SessionSecret"/>.
    /// </summary>
    public string MintSession(string userId, TimeSpan? lifetime = null)
    {
        sessionKey ??= new HmacTestKey(Text.Utf8.GetBytes(SessionSecret));
        var now = DateTimeOffset.UtcNow;
        return TestTokens.Sign(sessionKey, new Dictionary<string, object>
        {
            ["sub"] = userId, ["user_id"] = userId, ["type"] = "chatkit_session", ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.Add(lifetime ?? TimeSpan.FromHours(4)).ToUnixTimeSeconds(),
        }, header: new Dictionary<string, object> { ["typ"] = "JWT" });
    }
}
