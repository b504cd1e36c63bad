using System.Diagnostics;
using System.Text.Json;
using ChatKit.Agent.Tools;
using ChatKit.Agent.Turns;
using ChatKit.ServiceDefaults.Auth;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using ModelContextProtocol.Protocol;

namespace ChatKit.Agent.Mcp;

/// <summary>
/// One task kernel function as an MCP tool: the same name, description and parameter schema the model sees, invoked
/// through Semantic Kernel on the request's kernel (whose user is the token's <c>sub</c>). Each call checks the scope the
/// tool needs, turns bad arguments into a tool error with a clear message, and is traced, counted and logged.
/// </summary>
sealed class TaskMcpTool(KernelFunction function, string scope, AgentTelemetry telemetry, ILogger logger) : DelegatingAIFunction(function)
{
    public override string Name => function.Name;

    public override JsonElement JsonSchema => TaskToolset.SchemaOf(function);

    /// <summary>The scope a token needs for this tool: <see cref="McpAuthOptions.ReadScope"/> or <see cref="McpAuthOptions.WriteScope"/>.</summary>
    public string Scope => scope;

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        var services = arguments.Services ?? throw new InvalidOperationException("An MCP tool call has no request services.");
        var user = services.GetRequiredService<CurrentUser>();
        using var activity = AgentTelemetry.Source.StartActivity("mcp.tool " + Name);
        activity?.SetTag("mcp.tool", Name);
        var clientId = ClientOf(user);
        activity?.SetTag("mcp.client_id", clientId);
        var started = Stopwatch.GetTimestamp();

        JsonElement result;
        if (!McpAuthOptions.HasScope(user.Principal.FindFirst("scope")?.Value, scope))
        {
            result = ToolResults.Error("insufficient_scope",
                $"{Name} needs the {scope} scope, which this connection was not granted. Reconnect and allow {scope}.");
        }
        else
        {
            try
            {
                var kernel = services.GetRequiredService<Kernel>();
                var value = await function.InvokeAsync(kernel, new KernelArguments(arguments), cancellationToken);
                result = TaskToolset.ResultJson(value.GetValue<object>());
            }
            catch (Exception ex) when (ex is KernelException or ArgumentException or JsonException or FormatException or InvalidCastException or OverflowException)
            {
                // The arguments did not bind to the function's parameters (missing, wrong type); the tools themselves never throw.
                result = ToolResults.Error("invalid_argument", $"Invalid arguments for {Name}: {Describe(ex)} Expected: {JsonSchema.GetRawText()}");
            }
        }

        var error = result.TryGetProperty("status", out var status) && status.ValueEquals("error")
            ? result.GetProperty("code").GetString()
            : null;
        telemetry.ToolCalled(Name, failed: error is not null);
        activity?.SetTag("mcp.outcome", error ?? "ok");
        if (error is not null) activity?.SetStatus(ActivityStatusCode.Error, error);
        logger.LogInformation("MCP tool {Tool} for client {ClientId}: {Outcome} in {ElapsedMs:F1} ms",
            Name, clientId, error ?? "ok", Stopwatch.GetElapsedTime(started).TotalMilliseconds);

        return new CallToolResult
        {
            Content = [new TextContentBlock { Text = result.GetRawText() }],
            StructuredContent = result,
            IsError = error is not null,
        };
    }

    /// <summary>The OAuth client the token was issued to (Better Auth puts it in <c>azp</c> or <c>client_id</c>).</summary>
    static string ClientOf(CurrentUser user) =>
        user.Principal.FindFirst("azp")?.Value ?? user.Principal.FindFirst("client_id")?.Value ?? "unknown";

    static string Describe(Exception ex)
    {
        var message = (ex.InnerException is JsonException or FormatException or InvalidCastException or OverflowException
            ? ex.InnerException.Message
            : ex.Message).Trim();
        return message.EndsWith('.') ? message : message + ".";
    }
}
