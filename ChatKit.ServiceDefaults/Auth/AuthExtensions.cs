using System.Text;
using ChatKit.ServiceDefaults.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Microsoft.Extensions.Hosting;

/// <summary>Names of the authentication schemes and policies both services share.</summary>
public static class ChatKitAuth
{
    /// <summary>The default scheme: forwards to <see cref="SessionScheme"/> or <see cref="BetterAuthScheme"/> by looking at the token.</summary>
    public const string Scheme = "ChatKit";
    public const string BetterAuthScheme = "BetterAuth";
    public const string SessionScheme = "ChatKitSession";

    /// <summary>MCP access tokens from Better Auth's OAuth provider (audience: the MCP resource); the scheme of <c>/mcp</c>.</summary>
    public const string McpScheme = "Mcp";

    /// <summary>Requires a Better Auth JWT; a ChatKit session token is not enough (used to mint session tokens).</summary>
    public const string BetterAuthPolicy = "BetterAuthJwt";

    /// <summary>Requires an MCP access token with a user and at least one task scope (<c>/mcp</c>).</summary>
    public const string McpPolicy = "McpAccessToken";

    /// <summary>The path of the MCP endpoint: its requests are authenticated with <see cref="McpScheme"/> only.</summary>
    public const string McpPath = "/mcp";

    internal const string JwksHttpClient = "BetterAuthJwks";
}

/// <summary>Validation of Better Auth JWTs and ChatKit session tokens, shared by the API service and the agent.</summary>
public static class AuthExtensions
{
    static readonly string[] AsymmetricAlgorithms =
        [Ed25519Verification.Algorithm, SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSsaPssSha256];

    /// <summary>
    /// Adds bearer authentication for Better Auth JWTs (section <c>Auth:BetterAuth</c>: JWKS and/or HS256 secret) and
    /// ChatKit session tokens (section <c>ChatKit</c>), a default scheme that picks between them by looking at the token,
    /// and authorization that requires a user with a <c>sub</c> on every endpoint not marked anonymous.
    /// </summary>
    public static TBuilder AddChatKitAuthentication<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpContextAccessor();
        services.AddScoped<CurrentUser>();
        services.AddOptions<BetterAuthOptions>().BindConfiguration(BetterAuthOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BetterAuthOptions>, BetterAuthOptionsValidator>();
        services.AddOptions<ChatKitSessionOptions>().BindConfiguration(ChatKitSessionOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ChatKitSessionOptions>, ChatKitSessionOptionsValidator>();
        services.AddSingleton<ChatKitSessionTokens>();
        services.AddOptions<McpAuthOptions>().BindConfiguration(McpAuthOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<McpAuthOptions>, McpAuthOptionsValidator>();
        services.AddSingleton<BetterAuthJwksSource>();
        services.AddHttpClient(ChatKitAuth.JwksHttpClient);

        services.AddAuthentication(ChatKitAuth.Scheme)
            .AddPolicyScheme(ChatKitAuth.Scheme, "Better Auth JWT or ChatKit session token",
                options => options.ForwardDefaultSelector = SelectScheme)
            .AddJwtBearer(ChatKitAuth.BetterAuthScheme)
            .AddJwtBearer(ChatKitAuth.SessionScheme)
            .AddJwtBearer(ChatKitAuth.McpScheme);
        services.AddOptions<JwtBearerOptions>(ChatKitAuth.BetterAuthScheme)
            .Configure<IOptions<BetterAuthOptions>, IOptions<McpAuthOptions>, BetterAuthJwksSource>(ConfigureBetterAuth);
        services.AddOptions<JwtBearerOptions>(ChatKitAuth.McpScheme)
            .Configure<IOptions<McpAuthOptions>, IOptions<BetterAuthOptions>, BetterAuthJwksSource>(
                (options, mcp, betterAuth, keys) => McpTokens.Configure(options, mcp.Value, betterAuth.Value, keys, AsymmetricAlgorithms));
        services.AddOptions<JwtBearerOptions>(ChatKitAuth.SessionScheme)
            .Configure<ChatKitSessionTokens, IOptions<BetterAuthOptions>>(ConfigureSessionTokens);

        var signedInUser = new AuthorizationPolicyBuilder(ChatKitAuth.Scheme)
            .RequireAuthenticatedUser().RequireClaim(CurrentUser.SubjectClaim).Build();
        services.AddAuthorizationBuilder()
            .SetDefaultPolicy(signedInUser)
            .SetFallbackPolicy(signedInUser)
            .AddPolicy(ChatKitAuth.BetterAuthPolicy, policy => policy.AddAuthenticationSchemes(ChatKitAuth.BetterAuthScheme)
                .RequireAuthenticatedUser().RequireClaim(CurrentUser.SubjectClaim))
            .AddPolicy(ChatKitAuth.McpPolicy, policy => policy.AddAuthenticationSchemes(ChatKitAuth.McpScheme)
                .RequireAuthenticatedUser().RequireClaim(CurrentUser.SubjectClaim)
                .RequireAssertion(context => McpTokens.HasAnyScope(context.User)));
        return builder;
    }

    /// <summary>
    /// Chosen by the path (<c>/mcp</c> takes MCP access tokens and nothing else), then by the token's shape, not by
    /// trying one scheme after the other.
    /// </summary>
    static string SelectScheme(HttpContext context) =>
        context.Request.Path.StartsWithSegments(ChatKitAuth.McpPath) ? ChatKitAuth.McpScheme
        : CurrentUser.BearerTokenOf(context.Request) is { } token && ChatKitSessionTokens.LooksLikeSessionToken(token)
            ? ChatKitAuth.SessionScheme
            : ChatKitAuth.BetterAuthScheme;

    /// <summary>
    /// A JWT bearer scheme over Better Auth's keys (the one shared JWKS): its issuer, audience and algorithms; the
    /// token's claims as they are, parsed once per token (<see cref="CachingTokenHandler"/>), an expiry required.
    /// </summary>
    internal static void UseBetterAuthKeys(JwtBearerOptions options, BetterAuthJwksSource keys, TimeSpan clockSkew, string? issuer,
        string? audience, string[] algorithms, SecurityKey? signingKey = null)
    {
        options.MapInboundClaims = false;
        options.TokenHandlers.Clear();
        options.TokenHandlers.Add(new CachingTokenHandler());
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = issuer,
            ValidAudience = audience,
            ValidAlgorithms = algorithms,
            IssuerSigningKey = signingKey,
            RequireExpirationTime = true,
            ClockSkew = clockSkew,
            NameClaimType = "name",
        };
        if (keys.Manager is { } manager) options.ConfigurationManager = manager;
    }

    static void ConfigureBetterAuth(JwtBearerOptions options, IOptions<BetterAuthOptions> settings, IOptions<McpAuthOptions> mcpSettings,
        BetterAuthJwksSource keys)
    {
        var betterAuth = settings.Value;
        var mcp = mcpSettings.Value;
        var hasSecret = !string.IsNullOrEmpty(betterAuth.Secret);
        UseBetterAuthKeys(options, keys, betterAuth.ClockSkew, betterAuth.Issuer, betterAuth.Audience,
            hasSecret ? [.. AsymmetricAlgorithms, SecurityAlgorithms.HmacSha256] : AsymmetricAlgorithms,
            hasSecret ? new SymmetricSecurityKey(Encoding.UTF8.GetBytes(betterAuth.Secret!)) : null);
        options.Events = new JwtBearerEvents
        {
            OnTokenValidated = context =>
            {
                if (context.SecurityToken is not JsonWebToken token)
                    context.Fail("The token is not a JWT.");
                else if (CurrentUser.SubjectFailure(token.Subject) is { } failure)
                    context.Fail(failure);
                else if (token.TryGetPayloadValue<string>(ChatKitSessionTokens.TypeClaim, out var type) && type == ChatKitSessionTokens.TokenType)
                    context.Fail("A ChatKit session token is not a Better Auth JWT.");
                // Belt and braces: an MCP access token is for /mcp only, even if its audiences also named this one.
                else if (mcp.Enabled && token.Audiences.Contains(mcp.Resource))
                    context.Fail("An MCP access token is accepted on /mcp only.");
                return Task.CompletedTask;
            },
            OnChallenge = LogRejectionAsync,
        };
    }

    static void ConfigureSessionTokens(JwtBearerOptions options, ChatKitSessionTokens tokens, IOptions<BetterAuthOptions> betterAuth)
    {
        options.MapInboundClaims = false;
        options.TokenHandlers.Clear();
        options.TokenHandlers.Add(new CachingTokenHandler());
        options.TokenValidationParameters = tokens.CreateValidationParameters(betterAuth.Value.ClockSkew);
        options.Events = new JwtBearerEvents
        {
            OnTokenValidated = context =>
            {
                if (context.SecurityToken is not JsonWebToken token) context.Fail("The token is not a JWT.");
                else if (ChatKitSessionTokens.FailureOf(token) is { } failure) context.Fail(failure);
                return Task.CompletedTask;
            },
            OnChallenge = LogRejectionAsync,
        };
    }

    /// <summary>Logs why a request got a 401, never the token itself.</summary>
    internal static Task LogRejectionAsync(JwtBearerChallengeContext context)
    {
        var logger = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("ChatKit.Auth");
        var reason = context.AuthenticateFailure switch
        {
            null => "no bearer token",
            AuthenticationFailureException failure => failure.Message, // our own messages (context.Fail), token-free
            var exception => exception.GetType().Name,
        };
        logger.LogInformation("Rejected {Method} {Path} ({Scheme}): {Reason}",
            context.Request.Method, context.Request.Path, context.Scheme.Name, reason);
        return Task.CompletedTask;
    }
}
