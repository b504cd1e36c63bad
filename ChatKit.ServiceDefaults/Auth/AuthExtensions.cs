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

    /// <summary>Requires a Better Auth JWT; a ChatKit session token is not enough (used to mint session tokens).</summary>
    public const string BetterAuthPolicy = "BetterAuthJwt";

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
        services.AddHttpClient(ChatKitAuth.JwksHttpClient);

        services.AddAuthentication(ChatKitAuth.Scheme)
            .AddPolicyScheme(ChatKitAuth.Scheme, "Better Auth JWT or ChatKit session token",
                options => options.ForwardDefaultSelector = SelectScheme)
            .AddJwtBearer(ChatKitAuth.BetterAuthScheme)
            .AddJwtBearer(ChatKitAuth.SessionScheme);
        services.AddOptions<JwtBearerOptions>(ChatKitAuth.BetterAuthScheme)
            .Configure<IOptions<BetterAuthOptions>, IHttpClientFactory, IHostEnvironment>(ConfigureBetterAuth);
        services.AddOptions<JwtBearerOptions>(ChatKitAuth.SessionScheme)
            .Configure<ChatKitSessionTokens, IOptions<BetterAuthOptions>>(ConfigureSessionTokens);

        var signedInUser = new AuthorizationPolicyBuilder(ChatKitAuth.Scheme)
            .RequireAuthenticatedUser().RequireClaim(CurrentUser.SubjectClaim).Build();
        services.AddAuthorizationBuilder()
            .SetDefaultPolicy(signedInUser)
            .SetFallbackPolicy(signedInUser)
            .AddPolicy(ChatKitAuth.BetterAuthPolicy, policy => policy.AddAuthenticationSchemes(ChatKitAuth.BetterAuthScheme)
                .RequireAuthenticatedUser().RequireClaim(CurrentUser.SubjectClaim));
        return builder;
    }

    /// <summary>Chosen by the token's shape, not by trying one scheme after the other.</summary>
    static string SelectScheme(HttpContext context) =>
        CurrentUser.BearerTokenOf(context.Request) is { } token && ChatKitSessionTokens.LooksLikeSessionToken(token)
            ? ChatKitAuth.SessionScheme
            : ChatKitAuth.BetterAuthScheme;

    static void ConfigureBetterAuth(JwtBearerOptions options, IOptions<BetterAuthOptions> settings,
        IHttpClientFactory httpClients, IHostEnvironment environment)
    {
        var betterAuth = settings.Value;
        var hasSecret = !string.IsNullOrEmpty(betterAuth.Secret);
        options.MapInboundClaims = false;
        options.TokenHandlers.Clear();
        options.TokenHandlers.Add(new CachingTokenHandler());
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = betterAuth.Issuer,
            ValidAudience = betterAuth.Audience,
            ValidAlgorithms = hasSecret ? [.. AsymmetricAlgorithms, SecurityAlgorithms.HmacSha256] : AsymmetricAlgorithms,
            IssuerSigningKey = hasSecret ? new SymmetricSecurityKey(Encoding.UTF8.GetBytes(betterAuth.Secret!)) : null,
            RequireExpirationTime = true,
            ClockSkew = betterAuth.ClockSkew,
            NameClaimType = "name",
        };
        if (!string.IsNullOrEmpty(betterAuth.JwksUrl))
        {
            var retriever = new HttpDocumentRetriever(httpClients.CreateClient(ChatKitAuth.JwksHttpClient))
            {
                RequireHttps = !environment.IsDevelopment() && !new Uri(betterAuth.JwksUrl).IsLoopback,
            };
            options.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(
                betterAuth.JwksUrl, new BetterAuthJwksRetriever(), retriever)
            {
                RefreshInterval = betterAuth.JwksRefreshInterval,
                AutomaticRefreshInterval = betterAuth.JwksCacheDuration,
            };
        }
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
    static Task LogRejectionAsync(JwtBearerChallengeContext context)
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
