using ChatKit.Agent.Tools;
using ChatKit.Agent.Turns;
using ChatKit.ServiceDefaults.Auth;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace ChatKit.Agent.Mcp;

/// <summary>
/// The tasks as a remote MCP server (Streamable HTTP at <c>/mcp</c>, stateless, so any replica answers any request).
/// Its tools are the agent's task kernel functions themselves, with the annotations MCP clients show before a call.
/// Requests come from the API's public <c>/mcp</c>, which forwards the client's MCP access token; it is checked here again.
/// </summary>
public static class TasksMcpServer
{
    /// <summary>The five tools: which kernel function, the scope it needs, and its MCP annotations.</summary>
    static readonly (string Name, string Title, string Scope, bool ReadOnly, bool Destructive, bool Idempotent)[] Tools =
    [
        (TaskTools.AddTask, "Add a task", McpAuthOptions.WriteScope, false, false, false),
        (TaskTools.ListTasks, "List tasks", McpAuthOptions.ReadScope, true, false, true),
        (TaskTools.CompleteTask, "Complete a task", McpAuthOptions.WriteScope, false, false, true),
        (TaskTools.UpdateTask, "Update a task", McpAuthOptions.WriteScope, false, true, true),
        (TaskTools.DeleteTask, "Delete a task", McpAuthOptions.WriteScope, false, true, true),
    ];

    public static IHostApplicationBuilder AddTasksMcpServer(this IHostApplicationBuilder builder)
    {
        foreach (var tool in Tools)
        {
            builder.Services.AddSingleton(services =>
            {
                var function = services.GetRequiredService<KernelPlugin>()[tool.Name];
                var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("ChatKit.Agent.Mcp");
                return McpServerTool.Create(new TaskMcpTool(function, tool.Scope, services.GetRequiredService<AgentTelemetry>(), logger),
                    new McpServerToolCreateOptions
                    {
                        Name = tool.Name,
                        Title = tool.Title,
                        ReadOnly = tool.ReadOnly,
                        Destructive = tool.Destructive,
                        Idempotent = tool.Idempotent,
                        OpenWorld = false,
                        Services = services,
                    });
            });
        }
        builder.Services.AddMcpServer(options =>
            {
                options.ServerInfo = new Implementation { Name = "chatkit-tasks", Title = "ChatKit Todo tasks", Version = "1.0.0" };
                options.ServerInstructions = "The signed-in person's to-do list. list_tasks shows each task's task_id; " +
                                             "complete_task, update_task and delete_task take that task_id.";
            })
            .WithHttpTransport(options => options.Stateless = true);
        return builder;
    }

    /// <summary>Maps <c>/mcp</c> for MCP access tokens only, when <c>Auth:Mcp:Resource</c> is configured.</summary>
    public static void MapTasksMcpServer(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<McpAuthOptions>>().Value.Enabled) return;
        app.MapMcp(ChatKitAuth.McpPath).RequireAuthorization(ChatKitAuth.McpPolicy);
    }
}
