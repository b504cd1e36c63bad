using ChatKit.ServiceDefaults.Auth;

namespace ChatKit.Tests.Fast.Auth;

/// <summary>Where the MCP resource's metadata is and how a token's scope claim is read.</summary>
public sealed class McpAuthOptionsTests
{
    [Theory]
    [InlineData("https://web.example.com/mcp", "https://web.example.com/.well-known/oauth-protected-resource/mcp")]
    [InlineData("http://localhost:3000/mcp/", "http://localhost:3000/.well-known/oauth-protected-resource/mcp")]
    [InlineData("https://example.com/", "https://example.com/.well-known/oauth-protected-resource")]
    [InlineData("https://example.com:8443/tools/mcp", "https://example.com:8443/.well-known/oauth-protected-resource/tools/mcp")]
    public void TheMetadataUrlInsertsTheWellKnownPathBeforeTheResourcesPath(string resource, string expected) =>
        Assert.Equal(expected, new McpAuthOptions { Resource = resource }.ResourceMetadataUrl);

    [Theory]
    [InlineData("tasks:read tasks:write", "tasks:write", true)]
    [InlineData("openid  tasks:read", "tasks:read", true)]
    [InlineData("tasks:read", "tasks:write", false)]
    [InlineData("tasks:readwrite", "tasks:read", false)]
    [InlineData("TASKS:WRITE", "tasks:write", false)]
    [InlineData("", "tasks:read", false)]
    [InlineData(null, "tasks:read", false)]
    public void AScopeCountsOnlyAsAWholeSpaceSeparatedWord(string? claim, string scope, bool expected) =>
        Assert.Equal(expected, McpAuthOptions.HasScope(claim, scope));

    [Fact]
    public void McpIsOffWithoutAResourceAndClientsAreToldToAskForARefreshToken()
    {
        Assert.False(new McpAuthOptions().Enabled);
        Assert.True(new McpAuthOptions { Resource = "https://web.example.com/mcp" }.Enabled);
        Assert.Equal(["tasks:read", "tasks:write", "offline_access"], McpAuthOptions.RequestedScopes);
    }
}
