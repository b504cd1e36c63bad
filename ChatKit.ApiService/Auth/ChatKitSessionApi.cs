using System.Security.Claims;
using System.Text.Json.Serialization;
using ChatKit.ServiceDefaults.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ChatKit.ApiService.Auth;

public sealed record RefreshRequest([property: JsonPropertyName("token")] string? Token);

/// <summary>
/// ChatKit session tokens (the original design's <c>client_secret</c>): minted from a Better Auth JWT, refreshed from an
/// expired session token within <c>ChatKit:RefreshWindow</c>.
/// </summary>
public static class ChatKitSessionApi
{
    public const int MaxRequestBytes = 8 * 1024;

    public static RouteGroupBuilder MapChatKitSessionApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/chatkit")
            .RequireRateLimiting(UserRateLimits.Writes)
            .WithMetadata(new RequestSizeLimitAttribute(MaxRequestBytes));
        // Only a Better Auth JWT can mint a session token: a session token cannot extend itself here.
        group.MapPost("/session", CreateSession).RequireAuthorization(ChatKitAuth.BetterAuthPolicy);
        // The caller's session token has expired, so this endpoint authenticates by the token in the body.
        group.MapPost("/refresh", RefreshAsync).AllowAnonymous();
        return group;
    }

    static Ok<ChatKitSession> CreateSession(CurrentUser user, ChatKitSessionTokens tokens) =>
        TypedResults.Ok(tokens.Create(user.Id));

    static async Task<Results<Ok<ChatKitSession>, ProblemHttpResult>> RefreshAsync(
        [FromBody] RefreshRequest? request, HttpContext context, ChatKitSessionTokens tokens, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(ChatKitSessionApi));
        var userId = await tokens.ValidateForRefreshAsync(request?.Token);
        if (userId is null)
        {
            logger.LogInformation("Refresh rejected: the body holds no session token that is genuine and inside the refresh window.");
            return Unauthorized(context, "The token is not a ChatKit session token that can still be refreshed.");
        }
        // A Better Auth JWT sent along must be valid and name the same user.
        if (CurrentUser.BearerTokenOf(context.Request) is not null)
        {
            var betterAuth = await context.AuthenticateAsync(ChatKitAuth.BetterAuthScheme);
            if (betterAuth.Principal?.FindFirstValue(CurrentUser.SubjectClaim) is not { } signedIn || signedIn != userId)
            {
                logger.LogInformation("Refresh rejected: the bearer token is not a valid Better Auth JWT of the session's user.");
                return Unauthorized(context, "The bearer token is not a valid Better Auth JWT of the session's user.");
            }
        }
        return TypedResults.Ok(tokens.Create(userId));
    }

    static ProblemHttpResult Unauthorized(HttpContext context, string detail)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
        return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: detail);
    }
}
