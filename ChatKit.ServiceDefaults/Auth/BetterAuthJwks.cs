using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using Org.BouncyCastle.Math.EC.Rfc8032;

namespace ChatKit.ServiceDefaults.Auth;

/// <summary>
/// Reads Better Auth's JWKS document (<c>/api/auth/jwks</c>; Better Auth serves no discovery document) into the signing
/// keys of a configuration that JwtBearer's ConfigurationManager caches and refetches when an unknown <c>kid</c> arrives.
/// </summary>
sealed class BetterAuthJwksRetriever : IConfigurationRetriever<OpenIdConnectConfiguration>
{
    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel)
    {
        var jwks = new JsonWebKeySet(await retriever.GetDocumentAsync(address, cancel));
        var configuration = new OpenIdConnectConfiguration();
        // RSA and EC keys: Microsoft.IdentityModel handles them (RS256, PS256, ES256).
        foreach (var key in jwks.GetSigningKeys())
        {
            configuration.SigningKeys.Add(key);
        }
        // OKP Ed25519 keys (Better Auth's default EdDSA): GetSigningKeys drops them, so they get our verifier.
        foreach (var key in jwks.Keys.Where(Ed25519Verification.IsEd25519Key))
        {
            key.CryptoProviderFactory = Ed25519Verification.Factory;
            configuration.SigningKeys.Add(key);
        }
        return configuration;
    }
}

/// <summary>
/// EdDSA (Ed25519) signature checks with BouncyCastle, which Microsoft.IdentityModel lacks
/// (AzureAD/azure-activedirectory-identitymodel-extensions-for-dotnet#2426).
/// </summary>
static class Ed25519Verification
{
    public const string Algorithm = "EdDSA";

    public static readonly CryptoProviderFactory Factory = new Ed25519CryptoProviderFactory();

    public static bool IsEd25519Key(JsonWebKey key) =>
        key.Kty == "OKP" && key.Crv == "Ed25519" && !string.IsNullOrEmpty(key.X)
        && (string.IsNullOrEmpty(key.Use) || key.Use == JsonWebKeyUseNames.Sig);

    sealed class Ed25519CryptoProviderFactory : CryptoProviderFactory
    {
        public override bool IsSupportedAlgorithm(string algorithm, SecurityKey key) =>
            algorithm == Algorithm ? key is JsonWebKey jwk && IsEd25519Key(jwk) : base.IsSupportedAlgorithm(algorithm, key);

        public override SignatureProvider CreateForVerifying(SecurityKey key, string algorithm) =>
            algorithm == Algorithm && key is JsonWebKey jwk && IsEd25519Key(jwk)
                ? new Ed25519SignatureProvider(jwk)
                : base.CreateForVerifying(key, algorithm);

        public override void ReleaseSignatureProvider(SignatureProvider signatureProvider)
        {
            if (signatureProvider is Ed25519SignatureProvider) signatureProvider.Dispose();
            else base.ReleaseSignatureProvider(signatureProvider);
        }
    }

    sealed class Ed25519SignatureProvider(JsonWebKey key) : SignatureProvider(key, Ed25519Verification.Algorithm)
    {
        readonly byte[] publicKey = Base64UrlEncoder.DecodeBytes(key.X);

        public override bool Verify(byte[] input, byte[] signature) =>
            Verify(input, 0, input.Length, signature, 0, signature.Length);

        public override bool Verify(byte[] input, int inputOffset, int inputLength, byte[] signature, int signatureOffset, int signatureLength) =>
            // The stateless check: Ed25519Signer copies the input into a locked buffer, which a burst of new tokens
            // contended on (crowd profile, docs/benchmarks.md).
            signatureLength == Ed25519.SignatureSize && publicKey.Length == Ed25519.PublicKeySize
            && Ed25519.Verify(signature, signatureOffset, publicKey, 0, input, inputOffset, inputLength);

        public override byte[] Sign(byte[] input) => throw new NotSupportedException("Better Auth keys are only used to verify.");

        protected override void Dispose(bool disposing) { }
    }
}
