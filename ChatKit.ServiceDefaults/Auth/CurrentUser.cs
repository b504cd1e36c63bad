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

    public ClaimsPrincipal Principal => accessor.HttpContext?.User ?? new ClaimsPrincipal();

    /// <summary>The user id; throws when the request is not authenticated (endpoints that use it require authorization).</summary>
    public string Id => Principal.FindFirstValue(SubjectClaim) is { Length: > 0 } id
        ? id
        : throw new InvalidOperationException("The request has no authenticated user.");

    /// <summary>The raw bearer token of the request, forwarded to the agent so that it validates the caller again.</summary>
    public string? BearerToken =>
        accessor.HttpContext?.Request.Headers.Authorization.ToString() is { } header
        && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
}
