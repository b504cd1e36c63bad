using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using System.Text.Json;

namespace ChatKit.Tests.Mcp;

/// <summary>The MCP C# SDK's own client over Streamable HTTP, as any MCP client connects to <c>/mcp</c>.</summary>
public static class McpClients
{
    public static async Task<McpClient> ConnectAsync(HttpClient http, Uri endpoint, string? token, CancellationToken cancellationToken = default)
    {
        var options = new HttpClientTransportOptions
        {
            Endpoint = endpoint,
            TransportMode = HttpTransportMode.StreamableHttp,
            Name = "chatkit-tests",
            AdditionalHeaders = token is null ? null : new Dictionary<string, string> { ["Authorization"] = "Bearer " + token },
        };
        return await McpClient.CreateAsync(new HttpClientTransport(options, http, ownsHttpClient: false), cancellationToken: cancellationToken);
    }

    public static async Task<CallToolResult> CallAsync(this McpClient client, string tool, object arguments) =>
        await client.CallToolAsync(tool, JsonSerializer.SerializeToElement(arguments).EnumerateObject()
            .ToDictionary(p => p.Name, p => (object?)p.Value));

    /// <summary>The tool's JSON result (the text content; the same document is its structured content).</summary>
    public static JsonElement Json(this CallToolResult result) =>
        JsonDocument.Parse(Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text).RootElement;
}
