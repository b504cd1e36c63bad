using System.Globalization;
using System.Text.Json.Serialization;
using ChatKit.ServiceDefaults.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ChatKit.Agent.Tasks;

public sealed record TaskDto(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("completed")] bool Completed,
    [property: JsonPropertyName("created_at")] DateTime CreatedAt,
    [property: JsonPropertyName("updated_at")] DateTime UpdatedAt)
{
    public static TaskDto From(TaskItem task) =>
        new(task.Id, task.Title, task.Description, task.Completed, task.CreatedAt, task.UpdatedAt);
}

/// <summary>A page of tasks, newest first; pass <c>after</c> back to get the next page.</summary>
public sealed record TaskPageDto(
    [property: JsonPropertyName("tasks")] IReadOnlyList<TaskDto> Tasks,
    [property: JsonPropertyName("has_more")] bool HasMore,
    [property: JsonPropertyName("after")] long? After);

public sealed record NewTask(
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("description")] string? Description);

/// <summary>Fields to change; a missing or null field stays as it is, an empty description clears it.</summary>
public sealed record TaskChanges(
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("completed")] bool? Completed);

/// <summary>
/// The internal tasks REST API the API service forwards to. The owner is always the caller's validated token
/// (<see cref="CurrentUser"/>): another user's task is a 404, exactly like a missing one.
/// </summary>
public static class TasksApi
{
    public const int MaxRequestBytes = 16 * 1024;
    public const int MaxQueryLength = 200;

    public static RouteGroupBuilder MapTasksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tasks")
            .RequireAuthorization()
            .WithMetadata(new RequestSizeLimitAttribute(MaxRequestBytes))
            .WithTags("Tasks");
        group.MapGet("", ListAsync);
        group.MapPost("", CreateAsync);
        group.MapGet("/{id:long}", GetAsync);
        group.MapPatch("/{id:long}", UpdateAsync);
        group.MapDelete("/{id:long}", DeleteAsync);
        group.MapPost("/{id:long}/complete", CompleteAsync);
        return group;
    }

    static async Task<Results<Ok<TaskPageDto>, ValidationProblem>> ListAsync(string? status, string? q, string? limit, string? after,
        CurrentUser user, TaskService tasks, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var filter = status?.ToLowerInvariant() switch
        {
            null or "" or "all" => TaskStatusFilter.All,
            "pending" => TaskStatusFilter.Pending,
            "completed" => TaskStatusFilter.Completed,
            _ => (TaskStatusFilter?)null,
        };
        if (filter is null) errors["status"] = ["The status must be all, pending or completed."];
        var pageSize = TaskService.DefaultPageSize;
        if (limit is not null && !(int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize)
                                   && pageSize is >= 1 and <= TaskService.MaxPageSize))
        {
            errors["limit"] = [$"The limit must be a whole number from 1 to {TaskService.MaxPageSize}."];
        }
        long? cursor = null;
        if (after is not null)
        {
            if (long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0) cursor = id;
            else errors["after"] = ["The after cursor must be the after value of the previous page."];
        }
        if (q is { Length: > MaxQueryLength }) errors["q"] = [$"The search text must be at most {MaxQueryLength} characters."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var page = await tasks.ListAsync(user.Id, filter!.Value, q, pageSize, cursor, ct);
        return TypedResults.Ok(new TaskPageDto([.. page.Items.Select(TaskDto.From)], page.HasMore, page.After));
    }

    static async Task<Results<Created<TaskDto>, ValidationProblem>> CreateAsync([FromBody] NewTask request,
        CurrentUser user, TaskService tasks, CancellationToken ct)
    {
        var errors = TaskService.Validate(request.Title, request.Description, titleRequired: true);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var task = await tasks.AddAsync(user.Id, request.Title!, request.Description, ct);
        return TypedResults.Created($"/api/tasks/{task.Id}", TaskDto.From(task));
    }

    static async Task<Results<Ok<TaskDto>, NotFound>> GetAsync(long id, CurrentUser user, TaskService tasks, CancellationToken ct) =>
        await tasks.GetAsync(user.Id, id, ct) is { } task ? TypedResults.Ok(TaskDto.From(task)) : TypedResults.NotFound();

    static async Task<Results<Ok<TaskDto>, NotFound, ValidationProblem>> UpdateAsync(long id, [FromBody] TaskChanges changes,
        CurrentUser user, TaskService tasks, CancellationToken ct)
    {
        var errors = TaskService.Validate(changes.Title, changes.Description, titleRequired: false);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        return await tasks.UpdateAsync(user.Id, id, changes.Title, changes.Description, changes.Completed, ct) is { } task
            ? TypedResults.Ok(TaskDto.From(task))
            : TypedResults.NotFound();
    }

    static async Task<Results<NoContent, NotFound>> DeleteAsync(long id, CurrentUser user, TaskService tasks, CancellationToken ct) =>
        await tasks.DeleteAsync(user.Id, id, ct) is not null ? TypedResults.NoContent() : TypedResults.NotFound();

    /// <summary>Idempotent: completing a completed task returns it unchanged.</summary>
    static async Task<Results<Ok<TaskDto>, NotFound>> CompleteAsync(long id, CurrentUser user, TaskService tasks, CancellationToken ct) =>
        await tasks.CompleteAsync(user.Id, id, ct) is { } task ? TypedResults.Ok(TaskDto.From(task)) : TypedResults.NotFound();
}
