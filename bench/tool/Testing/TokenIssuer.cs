using System.Text.Json;
using System.Text.Json.Nodes;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;

namespace ChatKit.Bench.Testing;

/// <summary>
/// Better Auth-shaped EdDSA (Ed25519) tokens: header {alg:"EdDSA", kid} without typ; the user object, sub, iat, exp,
/// iss = aud = the auth base URL. The key is minted once per run and served as a JWKS document on loopback.
/// </summary>
public sealed class TokenIssuer
{
    public const string Issuer = "http://localhost:3000";
    public const string Audience = "http://localhost:3000";
    readonly Ed25519PrivateKeyParameters key;
    readonly string kid;

    public TokenIssuer()
    {
        var gen = new Ed25519KeyPairGenerator();
        gen.Init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        var pair = gen.GenerateKeyPair();
        key = (Ed25519PrivateKeyParameters)pair.Private;
        kid = "bench-" + Convert.ToHexString(key.GeneratePublicKey().GetEncoded()[..6]).ToLowerInvariant();
        Jwks = new JsonObject
        {
            ["keys"] = new JsonArray(new JsonObject
            {
                ["alg"] = "EdDSA", ["crv"] = "Ed25519", ["x"] = B64Url(key.GeneratePublicKey().GetEncoded()),
                ["kty"] = "OKP", ["kid"] = kid,
            }),
        }.ToJsonString();
    }

    public string Jwks { get; }

    public string Mint(string userId, TimeSpan? lifetime = null)
    {
        var now = DateTimeOffset.UtcNow;
        var header = B64Url(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["alg"] = "EdDSA", ["kid"] = kid }));
        var payload = B64Url(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["id"] = userId, ["name"] = "Bench " + userId, ["email"] = userId + "@bench.local", ["emailVerified"] = true,
            ["createdAt"] = "2026-01-01T00:00:00.000Z", ["updatedAt"] = "2026-01-01T00:00:00.000Z",
            ["sub"] = userId, ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.Add(lifetime ?? TimeSpan.FromHours(4)).ToUnixTimeSeconds(),
            ["iss"] = Issuer, ["aud"] = Audience,
        }));
        var signingInput = Text.Utf8.GetBytes(header + "." + payload);
        var signer = new Ed25519Signer();
        signer.Init(true, key);
        signer.BlockUpdate(signingInput, 0, signingInput.Length);
        return header + "." + payload + "." + B64Url(signer.GenerateSignature());
    }

    /// <summary>The key of the HS256 session tokens the verifying PostgreSQL peer checks (a ChatKit client secret).</summary>
    public string SessionSecret { get; } = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>An HS256 session token as a ChatKit server mints it (<c>{sub, type, iat, exp}</c>), signed with <see cref="SessionSecret"/>.</summary>
    public string MintSession(string userId, TimeSpan? lifetime = null)
    {
        var now = DateTimeOffset.UtcNow;
        var header = B64Url(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["alg"] = "HS256", ["typ"] = "JWT" }));
        var payload = B64Url(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["sub"] = userId, ["user_id"] = userId, ["type"] = "chatkit_session", ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.Add(lifetime ?? TimeSpan.FromHours(4)).ToUnixTimeSeconds(),
        }));
        var signature = System.Security.Cryptography.HMACSHA256.HashData(Text.Utf8.GetBytes(SessionSecret), Text.Utf8.GetBytes(header + "." + payload));
        return header + "." + payload + "." + B64Url(signature);
    }

    static string B64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
