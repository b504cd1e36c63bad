using ChatKit.ApiService.Agent;
using ChatKit.ApiService.Auth;
using ChatKit.ServiceDefaults.Auth;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace ChatKit.ApiService.Tasks;

/// <summary>
/// The public tasks API: the agent owns tasks, so every request is passed through to it with the caller's token.
/// The user comes from that token on the agent's side too; nothing here names a user.
/// </summary>
public static class TasksApi
{
    public const int MaxRequestBytes = 16 * 1024;

    /// <summary>
    /// The typed client for the agent, at the same address as the turns (<c>ChatKit:Agent:BaseAddress</c>), without
    /// retries for writes (a retried POST could add a task twice).
    /// </summary>
    public static TBuilder AddAgentTasksClient<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
#pragma warning disable EXTEXP0001 // replaces the default resilience handler of ConfigureHttpClientDefaults for this client
        builder.Services.AddHttpClient<AgentTasksClient>((services, client) =>
                client.BaseAddress = services.GetRequiredService<IOptions<AgentOptions>>().Value.BaseAddress)
            .RemoveAllResilienceHandlers()
            .AddStandardResilienceHandler(options => options.Retry.DisableForUnsafeHttpMethods());
#pragma warning restore EXTEXP0001
        return builder;
    }

    public static RouteGroupBuilder MapTasksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tasks")
            .RequireAuthorization()
            .WithMetadata(new RequestSizeLimitAttribute(MaxRequestBytes));
        group.MapGet("", ForwardAsync);
        group.MapGet("/{id:long}", ForwardAsync);
        group.MapPost("", ForwardAsync).RequireRateLimiting(UserRateLimits.Writes);
        group.MapPatch("/{id:long}", ForwardAsync).RequireRateLimiting(UserRateLimits.Writes);
        group.MapDelete("/{id:long}", ForwardAsync).RequireRateLimiting(UserRateLimits.Writes);
        group.MapPost("/{id:long}/complete", ForwardAsync).RequireRateLimiting(UserRateLimits.Writes);
        return group;
    }

    static Task<IResult> ForwardAsync(HttpContext context, CurrentUser user, AgentTasksClient agent) =>
        agent.ForwardAsync(context.Request, user.BearerToken!, context.RequestAborted);
}
