using Microsoft.Extensions.Options;

namespace ChatKit.ServiceDefaults.Auth;

/// <summary>
/// The MCP server's protected resource (configuration section <c>Auth:Mcp</c>): the resource identifier its access tokens
/// must carry as <c>aud</c>, the issuer of those tokens (Better Auth's OAuth 2.1 provider) and the authorization server
/// its RFC 9728 metadata names. MCP is off while <see cref="Resource"/> is empty.
/// </summary>
public sealed class McpAuthOptions
{
    public const string SectionName = "Auth:Mcp";

    /// <summary>Lets a client read the user's tasks (<c>list_tasks</c>).</summary>
    public const string ReadScope = "tasks:read";

    /// <summary>Lets a client change the user's tasks (<c>add_task</c>, <c>complete_task</c>, <c>update_task</c>, <c>delete_task</c>).</summary>
    public const string WriteScope = "tasks:write";

    public static readonly string[] Scopes = [ReadScope, WriteScope];

    /// <summary>
    /// What a client should ask for, as the 401 challenge and the resource metadata say: both task scopes and
    /// <c>offline_access</c>, without which Better Auth issues no refresh token and the client must sign in again every
    /// 15 minutes (MCP clients request the scopes the challenge names).
    /// </summary>
    public static readonly string[] RequestedScopes = [ReadScope, WriteScope, "offline_access"];

    /// <summary>The public URL MCP clients connect to, e.g. <c>https://web.example.com/mcp</c>: the tokens' <c>aud</c>.</summary>
    public string? Resource { get; set; }

    /// <summary>The <c>iss</c> of MCP access tokens: Better Auth's OAuth issuer, its base URL plus <c>/api/auth</c>.</summary>
    public string? Issuer { get; set; }

    /// <summary>The authorization server the metadata names; the issuer unless set.</summary>
    public string? AuthorizationServer { get; set; }

    public bool Enabled => !string.IsNullOrEmpty(Resource);

    /// <summary>
    /// Where the resource's RFC 9728 metadata is: <c>/.well-known/oauth-protected-resource</c> inserted before the
    /// resource's path, on its origin (<c>https://web.example.com/.well-known/oauth-protected-resource/mcp</c>).
    /// </summary>
    public string ResourceMetadataUrl
    {
        get
        {
            var resource = new Uri(Resource!);
            var path = resource.AbsolutePath.TrimEnd('/');
            return $"{resource.GetLeftPart(UriPartial.Authority)}/.well-known/oauth-protected-resource{path}";
        }
    }

    /// <summary>True when the scope claim (space-separated, as OAuth sends it) holds the scope.</summary>
    public static bool HasScope(string? scopeClaim, string scope) =>
        scopeClaim is not null && scopeClaim.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(scope, StringComparer.Ordinal);
}

sealed class McpAuthOptionsValidator(IOptions<BetterAuthOptions> betterAuth) : IValidateOptions<McpAuthOptions>
{
    public ValidateOptionsResult Validate(string? name, McpAuthOptions options)
    {
        if (!options.Enabled) return ValidateOptionsResult.Success;
        var errors = new List<string>();
        if (!Uri.TryCreate(options.Resource, UriKind.Absolute, out var resource) || resource.Scheme is not ("http" or "https")
            || !string.IsNullOrEmpty(resource.Query) || !string.IsNullOrEmpty(resource.Fragment))
        {
            errors.Add($"{McpAuthOptions.SectionName}:Resource '{options.Resource}' must be an absolute http(s) URL without query or fragment.");
        }
        if (string.IsNullOrEmpty(options.Issuer))
        {
            errors.Add($"{McpAuthOptions.SectionName}:Issuer must be set with :Resource (Better Auth's OAuth issuer, e.g. https://web.example.com/api/auth).");
        }
        if (string.IsNullOrEmpty(betterAuth.Value.JwksUrl))
        {
            errors.Add($"{McpAuthOptions.SectionName}:Resource needs {BetterAuthOptions.SectionName}:JwksUrl: MCP access tokens are checked against Better Auth's JWKS.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
