using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ChatKit.ServiceDefaults.Auth;

/// <summary>
/// Remembers tokens that passed validation until their <c>exp</c>, so a client sending the same token on every request
/// pays for the signature check once (EdDSA costs about 90 µs; both services check every request). Only valid results
/// are kept, one cache per scheme, and the scheme's OnTokenValidated checks still run on every request. The price: a
/// key removed from the JWKS stops working for tokens already seen only when they expire.
/// </summary>
sealed class CachingTokenHandler : JsonWebTokenHandler
{
    const int MaxEntries = 10_000;

    readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = MaxEntries });

    public CachingTokenHandler() => MapInboundClaims = false;

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        if (cache.TryGetValue(token, out TokenValidationResult? known) && known is not null)
        {
            // A copy: the principal built from it belongs to one request.
            return new TokenValidationResult
            {
                IsValid = true,
                SecurityToken = known.SecurityToken,
                ClaimsIdentity = known.ClaimsIdentity.Clone(),
                Issuer = known.Issuer,
                TokenType = known.TokenType,
            };
        }
        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken.ValidTo > DateTime.UtcNow)
        {
            cache.Set(token, result, new MemoryCacheEntryOptions
            {
                AbsoluteExpiration = new DateTimeOffset(result.SecurityToken.ValidTo, TimeSpan.Zero),
                Size = 1,
            });
        }
        return result;
    }
}
