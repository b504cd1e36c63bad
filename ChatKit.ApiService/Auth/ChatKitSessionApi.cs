using System.Text.Json.Serialization;
using ChatKit.ServiceDefaults.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ChatKit.ApiService.Auth;

public sealed record RefreshRequest([property: JsonPropertyName("token")] string? Token);

/// <summary>
/// ChatKit session tokens (the original design's <c>client_secret</c>): minted from a Better Auth JWT, refreshed from a
/// session token of the same user (within <c>ChatKit:RefreshWindow</c> of its expiry and <c>ChatKit:RefreshLimit</c> of
/// its chain's start), again only with that user's valid Better Auth JWT: a copied session token alone never outlives it.
/// </summary>
public static class ChatKitSessionApi
{
    public const int MaxRequestBytes = 8 * 1024;

    public static RouteGroupBuilder MapChatKitSessionApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/chatkit")
            .RequireRateLimiting(UserRateLimits.Writes)
            .WithMetadata(new RequestSizeLimitAttribute(MaxRequestBytes))
            .WithTags("Session")
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        // Only a Better Auth JWT can mint or refresh a session token: a session token cannot extend itself.
        group.MapPost("/session", CreateSession).RequireAuthorization(ChatKitAuth.BetterAuthPolicy);
        group.MapPost("/refresh", RefreshAsync).RequireAuthorization(ChatKitAuth.BetterAuthPolicy);
        return group;
    }

    static Ok<ChatKitSession> CreateSession(CurrentUser user, ChatKitSessionTokens tokens) =>
        TypedResults.Ok(tokens.Create(user.Id));

    static async Task<Results<Ok<ChatKitSession>, ProblemHttpResult>> RefreshAsync(
        [FromBody] RefreshRequest? request, HttpContext context, CurrentUser user, ChatKitSessionTokens tokens, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(ChatKitSessionApi));
        var session = await tokens.ValidateForRefreshAsync(request?.Token);
        if (session is null)
        {
            logger.LogInformation("Refresh rejected: the body holds no genuine session token inside the refresh window and limit.");
            return Unauthorized(context, "The token is not a ChatKit session token that can still be refreshed.");
        }
        if (session.UserId != user.Id)
        {
            logger.LogInformation("Refresh rejected: the Better Auth JWT names another user than the session token.");
            return Unauthorized(context, "The bearer token is not a valid Better Auth JWT of the session's user.");
        }
        return TypedResults.Ok(tokens.Refresh(session));
    }

    static ProblemHttpResult Unauthorized(HttpContext context, string detail)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
        return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: detail);
    }
}
