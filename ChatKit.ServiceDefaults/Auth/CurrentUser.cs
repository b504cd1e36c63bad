using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace ChatKit.ServiceDefaults.Auth;

/// <summary>
/// The signed-in user of the current request, taken only from the validated token's <c>sub</c> claim;
/// never from a body, a path or a prompt.
/// </summary>
public sealed class CurrentUser(IHttpContextAccessor accessor)
{
    public const string SubjectClaim = "sub";

    /// <summary>The longest user id stored as an owner (Better Auth's ids are 32 characters).</summary>
    public const int MaxIdLength = 128;

    public ClaimsPrincipal Principal => accessor.HttpContext?.User ?? new ClaimsPrincipal();

    /// <summary>The user id; throws when the request is not authenticated (endpoints that use it require authorization).</summary>
    public string Id => Principal.FindFirstValue(SubjectClaim) is { Length: > 0 } id
        ? id
        : throw new InvalidOperationException("The request has no authenticated user.");

    /// <summary>Why a token's <c>sub</c> cannot be a user id, or null when it can.</summary>
    public static string? SubjectFailure(string? subject) =>
        string.IsNullOrWhiteSpace(subject) ? "The token has no sub."
        : subject.Length > MaxIdLength ? $"The token's sub is longer than {MaxIdLength} characters."
        : null;

    /// <summary>The token of an <c>Authorization: Bearer …</c> header, or null.</summary>
    public static string? BearerTokenOf(HttpRequest request) =>
        request.Headers.Authorization.ToString() is { } header
        && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
        && header["Bearer ".Length..].Trim() is { Length: > 0 } token ? token : null;
}
