using System.Text.Encodings.Web;
using System.Text.Json.Serialization.Metadata;
using System.Text.Json;
using ChatKit.Agent.Contracts;
using ChatKit.ApiService.Agent;
using ChatKit.ApiService.Attachments;
using ChatKit.ApiService.Auth;
using ChatKit.ApiService.ChatKit;
using ChatKit.ApiService.Conversations;
using ChatKit.ApiService.Infrastructure;
using ChatKit.ApiService.Turns;
using ChatKit.ServiceDefaults.Auth;
using ChatKit.ApiService.ChatKit.Protocol;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace ChatKit.ApiService.Rest;

/// <summary>
/// The REST endpoints of the original design over the same store and turn pipeline as <c>POST /api/chatkit</c>:
/// threads (list with paging and search, create, read, rename, delete), messages (JSON, or SSE with
/// <c>Accept: text/event-stream</c>) and the @-mention entity search. Success results are typed; refusals are
/// <see cref="ApiError"/>s, as everywhere in this service, and each endpoint names the problem statuses it can answer
/// so that the OpenAPI document lists them.
/// </summary>
public static class ConversationsApi
{
    const int DefaultThreadPage = 20;
    const int DefaultMessagePage = 100;
    const int MaxPage = 500;
    const int MaxQueryLength = 200;
    const int MaxRequestBytes = 64 * 1024;

    /// <summary>
    /// The typed results are written with the minimal-API JSON options, which the OpenAPI document's schemas come from
    /// too: <see cref="ConversationsJsonContext"/> first, non-ASCII text as is (as the REST answers always were).
    /// </summary>
    public static TBuilder AddConversationsApi<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, ConversationsJsonContext.Default);
        });
        return builder;
    }

    public static RouteGroupBuilder MapConversationsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/chatkit").RequireAuthorization().WithTags("Conversations");
        group.MapGet("/threads", ListThreadsAsync)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapPost("/threads", CreateThreadAsync).RequireRateLimiting(UserRateLimits.Writes)
            .WithJsonBody<CreateThreadRequest>(required: false)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapGet("/threads/{threadId}", GetThreadAsync)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPatch("/threads/{threadId}", RenameThreadAsync).RequireRateLimiting(UserRateLimits.Writes)
            .WithJsonBody<RenameThreadRequest>(required: true)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapDelete("/threads/{threadId}", DeleteThreadAsync).RequireRateLimiting(UserRateLimits.Writes)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapPost("/messages", SendMessageAsync).RequireRateLimiting(UserRateLimits.Writes)
            .WithMetadata(new RequestSizeLimitAttribute(MaxRequestBytes))
            .WithJsonBody<SendMessageRequest>(required: true)
            .Produces(StatusCodes.Status200OK, typeof(SendMessageResponse), "application/json", "text/event-stream")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable).ProducesProblem(StatusCodes.Status504GatewayTimeout);
        group.MapGet("/entities/search", SearchEntitiesAsync)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        return group;
    }

    static async Task<Ok<ThreadList>> ListThreadsAsync(int? limit, string? after, string? q, CurrentUser user,
        ThreadStore store, CancellationToken ct)
    {
        var size = Limit(limit, DefaultThreadPage);
        ActivityCursor? cursor = null;
        if (after is not null)
        {
            if (!ActivityCursor.TryParse(after, out var parsed))
                throw ApiError.BadRequest("invalid_cursor", "after must be a cursor from a previous page.");
            cursor = parsed;
        }
        var page = await store.ListThreadsByActivityAsync(user.Id, size, cursor, Query(q), ct);
        return TypedResults.Ok(new ThreadList(page.Data.Select(Summary).ToList(), page.HasMore, page.After));
    }

    static async Task<Created<CreatedThread>> CreateThreadAsync(HttpRequest request, CurrentUser user, ThreadStore store,
        TimeProvider clock, CancellationToken ct)
    {
        var body = await ReadOptionalBodyAsync(request, ConversationsJsonContext.Default.CreateThreadRequest, ct);
        var title = body?.Title is null ? null : Titles.Valid(body.Title);
        var thread = await store.CreateThreadAsync(user.Id, title, clock.UtcNowMicros(), ct);
        return TypedResults.Created($"/api/chatkit/threads/{thread.Id}", new CreatedThread(thread.Id, thread.CreatedAt));
    }

    static async Task<Ok<ThreadWithMessages>> GetThreadAsync(string threadId, int? limit, string? after, CurrentUser user,
        ItemStore store, CancellationToken ct)
    {
        var found = await store.GetThreadMessagesAsync(user.Id, threadId, Limit(limit, DefaultMessagePage), after, ct)
                    ?? throw ApiError.NotFound("The thread");
        var (thread, messages) = found;
        var views = messages.Data.Select(m => new MessageView(m.Id, m.Type == ItemTypes.UserMessage ? "user" : "assistant", m.Text ?? "", m.CreatedAt))
            .ToList();
        return TypedResults.Ok(new ThreadWithMessages(thread.Id, thread.Title, thread.CreatedAt, thread.UpdatedAt, thread.MessageCount, views,
            messages.HasMore, messages.After));
    }

    static async Task<Ok<ThreadSummary>> RenameThreadAsync(string threadId, HttpRequest request, CurrentUser user,
        ThreadStore store, CancellationToken ct)
    {
        var body = await ReadOptionalBodyAsync(request, ConversationsJsonContext.Default.RenameThreadRequest, ct);
        var renamed = await store.RenameThreadAsync(user.Id, threadId, Titles.Valid(body?.Title), ct) ?? throw ApiError.NotFound("The thread");
        return TypedResults.Ok(Summary(renamed));
    }

    static async Task<NoContent> DeleteThreadAsync(string threadId, CurrentUser user, ThreadStore store, AttachmentService attachments,
        CancellationToken ct)
    {
        if (!await store.DeleteThreadAsync(user.Id, threadId, ct)) throw ApiError.NotFound("The thread");
        await attachments.DeleteThreadAttachmentsAsync(user.Id, threadId, ct);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Saves the user message, runs a turn with the thread's history and returns the answer; without a
    /// <c>thread_id</c> it starts a new thread. With <c>Accept: text/event-stream</c> the answer streams as ChatKit events.
    /// </summary>
    static async Task<Results<Ok<SendMessageResponse>, ChatKitEventStream>> SendMessageAsync(HttpContext http, CurrentUser user,
        TurnPipeline pipeline, AttachmentService attachments, IOptions<ConversationOptions> options)
    {
        var ct = http.RequestAborted;
        var body = await ReadOptionalBodyAsync(http.Request, ConversationsJsonContext.Default.SendMessageRequest, ct)
                   ?? throw ApiError.BadRequest("invalid_body", "The request needs a JSON body {\"thread_id\", \"message\"}.");
        if (body.ThreadId is { } id && string.IsNullOrWhiteSpace(id))
            throw ApiError.BadRequest("invalid_thread_id", "thread_id must not be empty; leave it out to start a new thread.");
        // Stored as sent, spaces included: the limit is on the whole field, not only on its trimmed text.
        if (body.Message?.Length > options.Value.MaxMessageLength)
            throw ApiError.TooLarge("message_too_long", "message", $"A message may be at most {options.Value.MaxMessageLength} characters.");

        var turn = new UserTurn(user.Id, body.ThreadId,
            new UserMessageInput { Content = [new InputText { Text = body.Message ?? "" }] }, attachments.BaseUrlFor(http.Request));
        // As POST /api/chatkit: a refusal before the first event is problem details, after it an error event.
        if (WantsEventStream(http.Request)) return new ChatKitEventStream((sink, aborted) => pipeline.SendAsync(turn, sink, aborted));

        var outcome = await pipeline.SendAsync(turn, NullEventSink.Instance, ct);
        if (outcome.Failure is { } failure)
        {
            // The message is saved: the problem names it, so the client can show it and retry.
            throw new ApiError(failure.Status, failure.Code, failure.Message)
            {
                Extensions = new Dictionary<string, object?> { ["thread_id"] = outcome.ThreadId, ["message_id"] = outcome.UserMessageId },
            };
        }
        return TypedResults.Ok(new SendMessageResponse(outcome.UserMessageId!, outcome.AssistantMessageId, outcome.AssistantText, outcome.ThreadId));
    }

    /// <summary>The caller's tasks as ChatKit entities, for <c>entities.onTagSearch</c>.</summary>
    static async Task<Ok<EntityList>> SearchEntitiesAsync(string? q, AgentClient agent, CancellationToken ct)
    {
        var page = await agent.SearchTasksAsync(Query(q), limit: 20, ct);
        var entities = page.Tasks.Select(task =>
        {
            var data = new Dictionary<string, string>
            {
                ["task_id"] = task.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["completed"] = task.Completed ? "true" : "false",
            };
            if (!string.IsNullOrWhiteSpace(task.Description)) data["description"] = task.Description;
            return new TaskEntity($"task_{task.Id}", task.Title, task.Completed ? "Completed tasks" : "Open tasks", false, data);
        }).ToList();
        return TypedResults.Ok(new EntityList(entities));
    }

    /// <summary>
    /// Describes the JSON body a handler reads itself (<see cref="ReadOptionalBodyAsync"/>) in the OpenAPI document only:
    /// accepts metadata would also make routing refuse other content types with 415, which these endpoints never did.
    /// </summary>
    static RouteHandlerBuilder WithJsonBody<T>(this RouteHandlerBuilder endpoint, bool required) =>
        endpoint.AddOpenApiOperationTransformer(async (operation, context, ct) => operation.RequestBody = new OpenApiRequestBody
        {
            Required = required,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(T), null, ct) },
            },
        });

    static ThreadSummary Summary(ChatThread thread) => new(thread.Id, thread.Title, thread.CreatedAt, thread.UpdatedAt, thread.MessageCount);

    static int Limit(int? limit, int fallback) => limit switch
    {
        null => fallback,
        < 1 => throw ApiError.BadRequest("invalid_limit", "limit must be a positive number."),
        _ => Math.Min(limit.Value, MaxPage),
    };

    static string? Query(string? q) => q?.Length > MaxQueryLength
        ? throw ApiError.BadRequest("invalid_query", $"q may be at most {MaxQueryLength} characters.")
        : q;

    static bool WantsEventStream(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase));

    /// <summary>The JSON body, or null when there is none; malformed JSON is a 400.</summary>
    static async Task<T?> ReadOptionalBodyAsync<T>(HttpRequest request, JsonTypeInfo<T> info, CancellationToken ct) where T : class
    {
        if (request.ContentLength == 0 || request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false) return null;
        try
        {
            return await JsonSerializer.DeserializeAsync(request.Body, info, ct);
        }
        catch (JsonException)
        {
            throw ApiError.BadRequest("invalid_json", "The request body is not valid JSON of the expected shape.");
        }
    }
}
