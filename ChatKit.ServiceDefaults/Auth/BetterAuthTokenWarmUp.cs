using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.Tokens;
using Org.BouncyCastle.Math.EC.Rfc8032;

namespace ChatKit.ServiceDefaults.Auth;

/// <summary>
/// A warm-up step (<see cref="WarmUp"/>): checks a Better Auth-shaped EdDSA token, new each
/// time, through the token handler and the Ed25519 verifier a person's token goes through. The warm-up's own requests
/// carry ChatKit session tokens, so without this the first burst of people (every one a token the service has not seen)
/// would compile that path while they wait (docs/benchmarks.md). The key is the step's own, made at start, never trusted
/// for anything else: it only signs the tokens this step checks.
/// </summary>
public static class BetterAuthTokenWarmUp
{
    const string Issuer = "chatkit-warm-up";

    static readonly byte[] PrivateKey = RandomNumberGenerator.GetBytes(Ed25519.SecretKeySize);
    static readonly CachingTokenHandler Handler = new();
    static readonly TokenValidationParameters Parameters = new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Issuer,
        ValidAlgorithms = [Ed25519Verification.Algorithm],
        IssuerSigningKey = PublicKey(),
        RequireExpirationTime = true,
    };

    public static async Task ValidateAsync(HttpClient _, IServiceProvider services, CancellationToken ct)
    {
        var result = await Handler.ValidateTokenAsync(NewToken(), Parameters);
        if (!result.IsValid) throw new InvalidOperationException("The warm-up's token did not validate.", result.Exception);
    }

    static JsonWebKey PublicKey()
    {
        var publicKey = new byte[Ed25519.PublicKeySize];
        Ed25519.GeneratePublicKey(PrivateKey, 0, publicKey, 0);
        return new JsonWebKey
        {
            Kty = "OKP", Crv = "Ed25519", X = Base64UrlEncoder.Encode(publicKey), Kid = Issuer,
            CryptoProviderFactory = Ed25519Verification.Factory,
        };
    }

    /// <summary>A token shaped like Better Auth's (header without <c>typ</c>, the user's fields), signed with the step's key.</summary>
    static string NewToken()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["alg"] = Ed25519Verification.Algorithm, ["kid"] = Issuer });
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["sub"] = WarmUp.UserId, ["name"] = "Warm-up", ["email"] = "warm-up@chatkit.invalid", ["jti"] = Guid.NewGuid().ToString("N"),
            ["iat"] = now, ["exp"] = now + 300, ["iss"] = Issuer, ["aud"] = Issuer,
        });
        var signed = Base64UrlEncoder.Encode(header) + "." + Base64UrlEncoder.Encode(payload);
        var data = Encoding.ASCII.GetBytes(signed);
        var signature = new byte[Ed25519.SignatureSize];
        Ed25519.Sign(PrivateKey, 0, data, 0, data.Length, signature, 0);
        return signed + "." + Base64UrlEncoder.Encode(signature);
    }
}
