using ChatKit.ApiService.Agent;
using ChatKit.ApiService.Auth;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace ChatKit.ApiService.Tasks;

/// <summary>
/// The public tasks API: the agent owns tasks, so every request is passed through to it by YARP's forwarder, with the
/// caller's own token (the request's headers go along), which the agent validates again. The user comes from that
/// token on the agent's side too; nothing here names a user. The agent's status, headers and problem bodies come back
/// as they are.
/// </summary>
public static class TasksApi
{
    public const int MaxRequestBytes = 16 * 1024;

    /// <summary>
    /// YARP's forwarder to the agent at the turns' address (<c>ChatKit:Agent:BaseAddress</c>, resolved through service
    /// discovery). It never retries: a POST sent twice could add a task twice.
    /// </summary>
    public static TBuilder AddTasksPassThrough<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHttpForwarderWithServiceDiscovery();
        builder.Services.AddSingleton<AgentTasksForwarder>();
        return builder;
    }

    /// <summary>
    /// The routes, with the statuses the agent answers (its own OpenAPI document describes the bodies) and the ones
    /// this hop adds: 429 for writes over the user's limit, 503 when the agent does not answer.
    /// </summary>
    public static RouteGroupBuilder MapTasksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tasks")
            .RequireAuthorization()
            .WithMetadata(new RequestSizeLimitAttribute(MaxRequestBytes))
            .WithTags("Tasks")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("", ForwardAsync)
            .Produces(StatusCodes.Status200OK, contentType: "application/json").ProducesValidationProblem()
            .WithDescription("The caller's tasks, newest first: status=all|pending|completed, q (title or description), limit (1-100), after (the previous page's after).");
        group.MapGet("/{id:long}", ForwardAsync)
            .Produces(StatusCodes.Status200OK, contentType: "application/json").ProducesProblem(StatusCodes.Status404NotFound);
        Write(group.MapPost("", ForwardAsync))
            .Produces(StatusCodes.Status201Created, contentType: "application/json").ProducesValidationProblem()
            .WithDescription("Adds a task: {\"title\", \"description\"?}.");
        Write(group.MapPatch("/{id:long}", ForwardAsync))
            .Produces(StatusCodes.Status200OK, contentType: "application/json").ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithDescription("Changes a task: {\"title\"?, \"description\"?, \"completed\"?}; a field left out stays as it is.");
        Write(group.MapDelete("/{id:long}", ForwardAsync))
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        Write(group.MapPost("/{id:long}/complete", ForwardAsync))
            .Produces(StatusCodes.Status200OK, contentType: "application/json").ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    static RouteHandlerBuilder Write(RouteHandlerBuilder endpoint) =>
        endpoint.RequireRateLimiting(UserRateLimits.Writes).ProducesProblem(StatusCodes.Status429TooManyRequests);

    static Task ForwardAsync(HttpContext context, AgentTasksForwarder agent) => agent.ForwardAsync(context);
}

/// <summary>
/// The request as it came (method, path, query, headers, body under this endpoint's size limit) to the agent, and the
/// agent's answer back. An agent that cannot be reached or does not answer within <see cref="AgentOptions.TaskApiTimeout"/>
/// is a 503 problem; an oversized body stays a 413.
/// </summary>
public sealed class AgentTasksForwarder(IHttpForwarder forwarder, IForwarderHttpClientFactory clients, IOptions<AgentOptions> options,
    ILogger<AgentTasksForwarder> logger)
{
    readonly HttpMessageInvoker agent = clients.CreateClient(new ForwarderHttpClientContext { NewConfig = HttpClientConfig.Empty });
    readonly string address = options.Value.BaseAddress.ToString();
    readonly ForwarderRequestConfig request = new() { ActivityTimeout = options.Value.TaskApiTimeout };

    public async Task ForwardAsync(HttpContext context)
    {
        var error = await forwarder.SendAsync(context, address, agent, request, HttpTransformer.Default);
        if ((error is ForwarderError.Request or ForwarderError.RequestTimedOut or ForwarderError.RequestBodyDestination)
            && !context.Response.HasStarted)
        {
            logger.LogWarning("The agent did not answer {Method} {Path}: {Error}", context.Request.Method, context.Request.Path, error);
            context.Response.Clear();
            await TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "The task service is unavailable.", detail: "The agent did not answer; try again shortly.").ExecuteAsync(context);
        }
    }
}
