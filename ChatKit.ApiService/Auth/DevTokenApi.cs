using ChatKit.ServiceDefaults.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ChatKit.ApiService.Auth;

/// <summary>
/// Development only: <c>POST /api/dev/token?user=alice</c> returns a ChatKit session token for curl, without Better Auth.
/// Not mapped in any other environment.
/// </summary>
public static class DevTokenApi
{
    public static WebApplication MapDevTokenApi(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment()) return app;
        app.MapPost("/api/dev/token", CreateToken).AllowAnonymous();
        return app;
    }

    static Results<Ok<ChatKitSession>, ValidationProblem> CreateToken([FromQuery(Name = "user")] string? user, ChatKitSessionTokens tokens)
    {
        user = string.IsNullOrWhiteSpace(user) ? "dev-user" : user.Trim();
        return CurrentUser.SubjectFailure(user) is null
            ? TypedResults.Ok(tokens.Create(user))
            : TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["user"] = [$"The user id must be 1 to {CurrentUser.MaxIdLength} characters."],
            });
    }
}
