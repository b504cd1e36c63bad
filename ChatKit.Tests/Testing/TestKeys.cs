using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;

namespace ChatKit.Testing;

/// <summary>A signing key of the tests: signs JWTs like Better Auth would and publishes its public half as a JWK.</summary>
public abstract class TestKey(string algorithm, string? keyId)
{
    public string Algorithm { get; } = algorithm;
    public string? KeyId { get; } = keyId;

    public abstract byte[] Sign(byte[] data);

    /// <summary>The public key as Better Auth's JWKS document shows it ({alg, crv, x[, y], kty, kid} or {alg, kty, n, e, kid}); null for a secret.</summary>
    public abstract Dictionary<string, string>? PublicJwk { get; }

    protected static string NewKeyId() => Guid.NewGuid().ToString("N")[..16];
}

/// <summary>Ed25519 (Better Auth's default, <c>alg: EdDSA</c>), signed with BouncyCastle.</summary>
public sealed class Ed25519TestKey() : TestKey("EdDSA", NewKeyId())
{
    readonly Ed25519PrivateKeyParameters privateKey = new(new SecureRandom());

    public override byte[] Sign(byte[] data)
    {
        var signer = new Ed25519Signer();
        signer.Init(forSigning: true, privateKey);
        signer.BlockUpdate(data, 0, data.Length);
        return signer.GenerateSignature();
    }

    public override Dictionary<string, string> PublicJwk => new()
    {
        ["alg"] = Algorithm, ["crv"] = "Ed25519", ["x"] = Base64UrlEncoder.Encode(privateKey.GeneratePublicKey().GetEncoded()),
        ["kty"] = "OKP", ["kid"] = KeyId!,
    };
}

public sealed class EcdsaTestKey() : TestKey("ES256", NewKeyId())
{
    readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public override byte[] Sign(byte[] data) => key.SignData(data, HashAlgorithmName.SHA256); // IEEE P1363, as JWS wants

    public override Dictionary<string, string> PublicJwk
    {
        get
        {
            var parameters = key.ExportParameters(includePrivateParameters: false);
            return new()
            {
                ["alg"] = Algorithm, ["crv"] = "P-256", ["x"] = Base64UrlEncoder.Encode(parameters.Q.X!),
                ["y"] = Base64UrlEncoder.Encode(parameters.Q.Y!), ["kty"] = "EC", ["kid"] = KeyId!,
            };
        }
    }
}

/// <summary>RSA 2048 for RS256 (PKCS#1 v1.5) or PS256 (PSS).</summary>
public sealed class RsaTestKey(string algorithm) : TestKey(algorithm, NewKeyId())
{
    readonly RSA key = RSA.Create(2048);

    public override byte[] Sign(byte[] data) => key.SignData(data, HashAlgorithmName.SHA256,
        Algorithm == "PS256" ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1);

    public override Dictionary<string, string> PublicJwk
    {
        get
        {
            var parameters = key.ExportParameters(includePrivateParameters: false);
            return new()
            {
                ["alg"] = Algorithm, ["kty"] = "RSA", ["n"] = Base64UrlEncoder.Encode(parameters.Modulus!),
                ["e"] = Base64UrlEncoder.Encode(parameters.Exponent!), ["kid"] = KeyId!,
            };
        }
    }

    /// <summary>The public key as PEM text: what an attacker uses as an HMAC secret in the HS256/RS256 confusion attack.</summary>
    public string PublicKeyPem => key.ExportSubjectPublicKeyInfoPem();
}

/// <summary>An HS256 secret (BETTER_AUTH_SECRET or the ChatKit session signing key); no kid, like Better Auth's HS256 tokens.</summary>
public sealed class HmacTestKey(byte[] secret) : TestKey("HS256", null)
{
    public override byte[] Sign(byte[] data) => HMACSHA256.HashData(secret, data);

    public override Dictionary<string, string>? PublicJwk => null;
}

/// <summary>The keys the test AppHost trusts: the asymmetric ones through the fixture's JWKS server, HS256 through the secret.</summary>
public static class TestKeys
{
    public static readonly Ed25519TestKey EdDsa = new();
    public static readonly EcdsaTestKey Es256 = new();
    public static readonly RsaTestKey Rs256 = new("RS256");
    public static readonly RsaTestKey Ps256 = new("PS256");
    public static readonly HmacTestKey Hs256 = new(System.Text.Encoding.UTF8.GetBytes(TestTokens.Secret));

    /// <summary>The session-token key of the test AppHost (not a Better Auth key).</summary>
    public static readonly HmacTestKey Session = new(System.Text.Encoding.UTF8.GetBytes(TestTokens.SessionKey));

    /// <summary>What the JWKS server publishes at start.</summary>
    public static IReadOnlyList<TestKey> Published => [EdDsa, Es256, Rs256, Ps256];

    public static TestKey ByAlgorithm(string algorithm) => algorithm switch
    {
        "EdDSA" => EdDsa,
        "ES256" => Es256,
        "RS256" => Rs256,
        "PS256" => Ps256,
        "HS256" => Hs256,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
    };
}
