using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ChatKit.ServiceDefaults.Auth;

/// <summary>ChatKit session tokens (configuration section <c>ChatKit</c>).</summary>
public sealed class ChatKitSessionOptions
{
    public const string SectionName = "ChatKit";

    /// <summary>
    /// The HS256 key of session tokens, never the Better Auth secret (the AppHost generates one); when empty, a random key
    /// that only this process knows.
    /// </summary>
    public string? SessionSigningKey { get; set; }

    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long after its expiry a session token can still be exchanged for a new one.</summary>
    public TimeSpan RefreshWindow { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// The absolute limit of a chain of refreshes, counted from the first session token (the one <c>/session</c> minted,
    /// whose issue time every refreshed token carries as <c>orig_iat</c>): no token of the chain is valid after it.
    /// </summary>
    public TimeSpan RefreshLimit { get; set; } = TimeSpan.FromHours(12);
}

sealed class ChatKitSessionOptionsValidator(IOptions<BetterAuthOptions> betterAuth) : IValidateOptions<ChatKitSessionOptions>
{
    public ValidateOptionsResult Validate(string? name, ChatKitSessionOptions options)
    {
        var errors = new List<string>();
        if (!string.IsNullOrEmpty(options.SessionSigningKey)
            && Encoding.UTF8.GetByteCount(options.SessionSigningKey) < BetterAuthOptions.MinimumSecretBytes)
        {
            errors.Add($"ChatKit:SessionSigningKey must be at least {BetterAuthOptions.MinimumSecretBytes} bytes long (HS256).");
        }
        if (!string.IsNullOrEmpty(options.SessionSigningKey) && options.SessionSigningKey == betterAuth.Value.Secret)
        {
            errors.Add("ChatKit:SessionSigningKey must not be the Better Auth secret: each kind of token needs a key of its own.");
        }
        if (options.SessionLifetime <= TimeSpan.Zero || options.SessionLifetime > TimeSpan.FromDays(1))
        {
            errors.Add("ChatKit:SessionLifetime must be between 0 and 1 day.");
        }
        if (options.RefreshWindow < TimeSpan.Zero || options.RefreshWindow > TimeSpan.FromDays(30))
        {
            errors.Add("ChatKit:RefreshWindow must be between 0 and 30 days.");
        }
        if (options.RefreshLimit < options.SessionLifetime || options.RefreshLimit > TimeSpan.FromDays(30))
        {
            errors.Add("ChatKit:RefreshLimit must be between ChatKit:SessionLifetime and 30 days.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>A minted session token: the original design's <c>client_secret</c>, as the API returns it.</summary>
public sealed record ChatKitSession(
    [property: JsonPropertyName("client_secret")] string ClientSecret,
    [property: JsonPropertyName("user_id")] string UserId,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt);

/// <summary>A session token that may be refreshed: its user and when its chain of refreshes began.</summary>
public sealed record RefreshableSession(string UserId, DateTimeOffset ChainStart);

/// <summary>
/// Mints and checks ChatKit session tokens: HS256 JWTs <c>{user_id, sub, type: "chatkit_session", iat, orig_iat, exp, jti}</c>.
/// Both services validate them (the API forwards the caller's token to the agent), so both get the same key.
/// </summary>
public sealed class ChatKitSessionTokens
{
    public const string TokenType = "chatkit_session";
    public const string TypeClaim = "type";
    public const string UserIdClaim = "user_id";

    /// <summary>The issue time of the chain's first token (<c>/session</c>); refreshed tokens carry it on.</summary>
    public const string ChainStartClaim = "orig_iat";

    static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false, MapInboundClaims = false };

    readonly ChatKitSessionOptions options;
    readonly TimeProvider clock;
    readonly SymmetricSecurityKey key;

    public ChatKitSessionTokens(IOptions<ChatKitSessionOptions> options, TimeProvider clock, ILogger<ChatKitSessionTokens> logger)
    {
        this.options = options.Value;
        this.clock = clock;
        var secret = this.options.SessionSigningKey;
        if (string.IsNullOrEmpty(secret))
        {
            // The AppHost always passes a key; a service started on its own gets one for its own lifetime.
            logger.LogWarning("ChatKit:SessionSigningKey is not set: session tokens are signed with a random key that only this process knows.");
            secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        }
        key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret));
    }

    /// <summary>A new session token for the user, valid for <see cref="ChatKitSessionOptions.SessionLifetime"/>; it starts a chain.</summary>
    public ChatKitSession Create(string userId) => Mint(userId, chainStart: null);

    /// <summary>
    /// The next token of a chain: valid for the session lifetime, but never past the chain's start plus
    /// <see cref="ChatKitSessionOptions.RefreshLimit"/>.
    /// </summary>
    public ChatKitSession Refresh(RefreshableSession session) => Mint(session.UserId, session.ChainStart);

    ChatKitSession Mint(string userId, DateTimeOffset? chainStart)
    {
        var now = clock.GetUtcNow();
        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
        var start = chainStart ?? issuedAt;
        var expiresAt = Min(issuedAt + options.SessionLifetime, start + options.RefreshLimit);
        var token = Handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object>
            {
                [UserIdClaim] = userId,
                [CurrentUser.SubjectClaim] = userId,
                [TypeClaim] = TokenType,
                [ChainStartClaim] = start.ToUnixTimeSeconds(),
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
            },
            IssuedAt = issuedAt.UtcDateTime,
            Expires = expiresAt.UtcDateTime,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
        return new ChatKitSession(token, userId, expiresAt);
    }

    /// <summary>What the session scheme checks: the signature with our key, HS256 only, exp; no iss/aud (they have none).</summary>
    public TokenValidationParameters CreateValidationParameters(TimeSpan clockSkew, bool validateLifetime = true) => new()
    {
        IssuerSigningKey = key,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        ValidateIssuer = false,
        ValidateAudience = false,
        ValidateLifetime = validateLifetime,
        RequireExpirationTime = true,
        ClockSkew = clockSkew,
        NameClaimType = CurrentUser.SubjectClaim,
    };

    /// <summary>
    /// A session token presented for refresh: a genuine session token (signature and type) that is still valid or
    /// expired no longer ago than the refresh window, of a chain that began less than the refresh limit ago; otherwise
    /// null. A token without <c>orig_iat</c> (minted before chains had one) began its chain when it was issued.
    /// </summary>
    public async Task<RefreshableSession?> ValidateForRefreshAsync(string? token)
    {
        if (string.IsNullOrWhiteSpace(token)) return null;
        var result = await Handler.ValidateTokenAsync(token, CreateValidationParameters(TimeSpan.Zero, validateLifetime: false));
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt || FailureOf(jwt) is not null) return null;
        if (!jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Exp, out var exp)) return null;
        if (!jwt.TryGetPayloadValue<long>(ChainStartClaim, out var chainStart)
            && !jwt.TryGetPayloadValue(JwtRegisteredClaimNames.Iat, out chainStart)) return null;
        var now = clock.GetUtcNow();
        var start = DateTimeOffset.FromUnixTimeSeconds(chainStart);
        if (now - DateTimeOffset.FromUnixTimeSeconds(exp) > options.RefreshWindow || now - start >= options.RefreshLimit) return null;
        return new RefreshableSession(jwt.Subject, start);
    }

    static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    /// <summary>Why a signature-checked token is not a usable session token, or null when it is one.</summary>
    public static string? FailureOf(JsonWebToken token) =>
        !token.TryGetPayloadValue<string>(TypeClaim, out var type) || type != TokenType ? "The token is not a ChatKit session token."
        : CurrentUser.SubjectFailure(token.Subject) is { } failure ? failure
        : token.TryGetPayloadValue<string>(UserIdClaim, out var userId) && userId != token.Subject ? "user_id and sub differ."
        : null;

    /// <summary>
    /// Tells the two kinds of bearer token apart without validating anything: a session token carries a <c>type</c> claim
    /// and no <c>iss</c>; a Better Auth JWT always has an <c>iss</c>.
    /// </summary>
    public static bool LooksLikeSessionToken(string token)
    {
        if (!Handler.CanReadToken(token)) return false;
        try
        {
            var jwt = new JsonWebToken(token);
            return jwt.TryGetPayloadValue<object>(TypeClaim, out _) && !jwt.TryGetPayloadValue<object>(JwtRegisteredClaimNames.Iss, out _);
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenException or System.Text.Json.JsonException)
        {
            return false; // not a JWT at all: the Better Auth scheme rejects it
        }
    }
}
