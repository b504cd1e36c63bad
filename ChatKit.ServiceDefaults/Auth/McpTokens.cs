using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace ChatKit.ServiceDefaults.Auth;

/// <summary>
/// Validation of MCP access tokens: JWTs from Better Auth's OAuth 2.1 provider, checked through the same JWKS as the
/// web app's tokens, with their own issuer and the MCP resource as audience. Refusals carry the challenges the MCP
/// authorization spec asks for: a 401 names the resource metadata, a 403 the missing scope.
/// </summary>
static class McpTokens
{
    public static void Configure(JwtBearerOptions options, McpAuthOptions mcp, BetterAuthOptions betterAuth, BetterAuthJwksSource keys,
        string[] algorithms)
    {
        // Without a resource nothing is valid here: no audience matches.
        Microsoft.Extensions.Hosting.AuthExtensions.UseBetterAuthKeys(options, keys, betterAuth.ClockSkew,
            mcp.Issuer ?? "urn:chatkit:mcp-disabled", mcp.Resource ?? "urn:chatkit:mcp-disabled", algorithms);
        options.Events = new JwtBearerEvents
        {
            OnTokenValidated = context =>
            {
                if (context.SecurityToken is not JsonWebToken token) context.Fail("The token is not a JWT.");
                else if (CurrentUser.SubjectFailure(token.Subject) is { } failure) context.Fail(failure);
                return Task.CompletedTask;
            },
            OnChallenge = async context =>
            {
                await Microsoft.Extensions.Hosting.AuthExtensions.LogRejectionAsync(context);
                context.HandleResponse();
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                var error = context.AuthenticateFailure is null ? "" : ", error=\"invalid_token\"";
                context.Response.Headers.WWWAuthenticate =
                    $"Bearer resource_metadata=\"{Metadata(mcp)}\", scope=\"{string.Join(' ', McpAuthOptions.RequestedScopes)}\"{error}";
            },
            OnForbidden = context =>
            {
                context.Response.Headers.WWWAuthenticate =
                    $"Bearer error=\"insufficient_scope\", scope=\"{string.Join(' ', McpAuthOptions.RequestedScopes)}\", resource_metadata=\"{Metadata(mcp)}\"";
                return Task.CompletedTask;
            },
        };
    }

    static string Metadata(McpAuthOptions mcp) => mcp.Enabled ? mcp.ResourceMetadataUrl : "";

    /// <summary>The MCP endpoint's requirement besides a user: at least one of the task scopes (403 insufficient_scope otherwise).</summary>
    public static bool HasAnyScope(System.Security.Claims.ClaimsPrincipal user) =>
        user.FindFirst("scope")?.Value is { } scope && McpAuthOptions.Scopes.Any(s => McpAuthOptions.HasScope(scope, s));
}
