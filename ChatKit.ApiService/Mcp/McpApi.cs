using ChatKit.ApiService.Auth;
using ChatKit.ApiService.Tasks;
using ChatKit.ServiceDefaults.Auth;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace ChatKit.ApiService.Mcp;

/// <summary>
/// The public edge of the tasks' MCP server, which the agent hosts: <c>/mcp</c> takes MCP access tokens only (issuer,
/// audience = the MCP resource, expiry, a task scope), is rate-limited per user like the REST writes, and forwards the
/// Streamable HTTP exchange as it is (body, streamed answer, MCP headers, the caller's token) to the agent, which checks
/// the token again. Beside it the RFC 9728 protected resource metadata, at the root and under the resource's path.
/// </summary>
public static class McpApi
{
    public const int MaxRequestBytes = 64 * 1024;
    public const string MetadataPath = "/.well-known/oauth-protected-resource";

    public static void MapMcpApi(this IEndpointRouteBuilder app)
    {
        var mcp = app.ServiceProvider.GetRequiredService<IOptions<McpAuthOptions>>().Value;
        if (!mcp.Enabled) return;

        app.MapGet(MetadataPath, ResourceMetadata).AllowAnonymous();
        app.MapGet(MetadataPath + new Uri(mcp.Resource!).AbsolutePath.TrimEnd('/'), ResourceMetadata).AllowAnonymous();
        app.MapMethods(ChatKitAuth.McpPath, [HttpMethods.Post, HttpMethods.Get, HttpMethods.Delete], ForwardAsync)
            .RequireAuthorization(ChatKitAuth.McpPolicy)
            .RequireRateLimiting(UserRateLimits.Writes)
            .WithMetadata(new RequestSizeLimitAttribute(MaxRequestBytes));
    }

    static Task ForwardAsync(HttpContext context, AgentTasksForwarder agent) => agent.ForwardAsync(context);

    /// <summary>What an MCP client needs to start the OAuth flow: the resource, who issues its tokens and which scopes exist.</summary>
    static IResult ResourceMetadata(HttpContext context, IOptions<McpAuthOptions> options)
    {
        var mcp = options.Value;
        // Browser-based clients (MCP Inspector) read it from another origin.
        context.Response.Headers.AccessControlAllowOrigin = "*";
        return TypedResults.Json(new ProtectedResourceMetadata(
            mcp.Resource!, [mcp.AuthorizationServer ?? mcp.Issuer!], McpAuthOptions.RequestedScopes, ["header"], "ChatKit Todo tasks"));
    }

    sealed record ProtectedResourceMetadata(
        [property: System.Text.Json.Serialization.JsonPropertyName("resource")] string Resource,
        [property: System.Text.Json.Serialization.JsonPropertyName("authorization_servers")] string[] AuthorizationServers,
        [property: System.Text.Json.Serialization.JsonPropertyName("scopes_supported")] string[] ScopesSupported,
        [property: System.Text.Json.Serialization.JsonPropertyName("bearer_methods_supported")] string[] BearerMethodsSupported,
        [property: System.Text.Json.Serialization.JsonPropertyName("resource_name")] string ResourceName);
}
