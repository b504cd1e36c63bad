using System.Text;
using Microsoft.Extensions.Options;

namespace ChatKit.ServiceDefaults.Auth;

/// <summary>
/// How Better Auth JWTs are validated (configuration section <c>Auth:BetterAuth</c>): keys from the JWKS URL
/// (EdDSA, ES256, RS256, PS256) and/or the shared secret (HS256); <c>iss</c> and <c>aud</c> must match.
/// </summary>
public sealed class BetterAuthOptions
{
    public const string SectionName = "Auth:BetterAuth";
    public const int MinimumSecretBytes = 32;

    /// <summary>Expected <c>iss</c>; Better Auth's default is its base URL (BETTER_AUTH_URL).</summary>
    public string? Issuer { get; set; }

    /// <summary>Expected <c>aud</c>; Better Auth's default is its base URL too.</summary>
    public string? Audience { get; set; }

    /// <summary>Better Auth's JWKS document, e.g. <c>https://app.example.com/api/auth/jwks</c> (there is no discovery document).</summary>
    public string? JwksUrl { get; set; }

    /// <summary>BETTER_AUTH_SECRET, for HS256 tokens (the original design's shared-secret mode).</summary>
    public string? Secret { get; set; }

    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The shortest time between two JWKS fetches caused by tokens with an unknown <c>kid</c>.</summary>
    public TimeSpan JwksRefreshInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The JWKS document is refetched after this long even when no unknown <c>kid</c> arrives.</summary>
    public TimeSpan JwksCacheDuration { get; set; } = TimeSpan.FromHours(1);

    public bool HasKeys => !string.IsNullOrEmpty(JwksUrl) || !string.IsNullOrEmpty(Secret);
}

sealed class BetterAuthOptionsValidator : IValidateOptions<BetterAuthOptions>
{
    public ValidateOptionsResult Validate(string? name, BetterAuthOptions options)
    {
        var errors = new List<string>();
        if (!string.IsNullOrEmpty(options.Secret) && Encoding.UTF8.GetByteCount(options.Secret) < BetterAuthOptions.MinimumSecretBytes)
        {
            errors.Add($"{BetterAuthOptions.SectionName}:Secret (BETTER_AUTH_SECRET) is {Encoding.UTF8.GetByteCount(options.Secret)} bytes long; " +
                       $"HS256 needs at least {BetterAuthOptions.MinimumSecretBytes}. Generate one with `openssl rand -base64 32`.");
        }
        if (!string.IsNullOrEmpty(options.JwksUrl)
            && !(Uri.TryCreate(options.JwksUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
        {
            errors.Add($"{BetterAuthOptions.SectionName}:JwksUrl '{options.JwksUrl}' is not an absolute http(s) URL.");
        }
        if (options.HasKeys && (string.IsNullOrEmpty(options.Issuer) || string.IsNullOrEmpty(options.Audience)))
        {
            errors.Add($"{BetterAuthOptions.SectionName}:Issuer and :Audience must be set whenever Better Auth tokens are accepted " +
                       "(Better Auth's defaults for both are its BETTER_AUTH_URL).");
        }
        if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{BetterAuthOptions.SectionName}:ClockSkew must be between 0 and 5 minutes.");
        }
        if (options.JwksRefreshInterval < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{BetterAuthOptions.SectionName}:JwksRefreshInterval must be at least 1 second.");
        }
        if (options.JwksCacheDuration < TimeSpan.FromMinutes(5))
        {
            errors.Add($"{BetterAuthOptions.SectionName}:JwksCacheDuration must be at least 5 minutes.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
