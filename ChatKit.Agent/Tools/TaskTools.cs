using System.ComponentModel;
using System.Text.Json;
using ChatKit.Agent.Contracts;
using ChatKit.Agent.Tasks;
using ChatKit.ServiceDefaults.Auth;
using Microsoft.SemanticKernel;

namespace ChatKit.Agent.Tools;

/// <summary>
/// The kernel functions the model manages tasks with. They act for the user of the current request (the token's
/// <c>sub</c>), never for a user named in a prompt, and they answer with a small JSON result or an error result
/// instead of throwing, so the model can read what happened.
/// </summary>
/// <remarks>
/// The plugin is built once (reflection and schemas are costly) and shared by every request's kernel; each call takes
/// its task store and user from the <see cref="Kernel"/> it runs in, whose services are the request's scope.
/// </remarks>
public sealed class TaskTools(ILogger<TaskTools> logger)
{
    public const string PluginName = "tasks";
    public const int MaxListed = 100;

    // The tools' plain names, as the model and the turn's events see them.
    public const string AddTask = "add_task";
    public const string ListTasks = "list_tasks";
    public const string FindTasks = "find_tasks";
    public const string CompleteTask = ChangedTaskResult.CompleteTool;
    public const string ReopenTask = "reopen_task";
    public const string UpdateTask = "update_task";
    public const string DeleteTask = "delete_task";
    public const string DeleteCompletedTasks = "delete_completed_tasks";

    [KernelFunction(AddTask)]
    [Description("Adds one new task to the user's to-do list and returns its task_id. " +
                 "For several tasks (\"milk, eggs and bread\") call it once per task.")]
    public Task<JsonElement> AddTaskAsync(
        Kernel kernel,
        [Description("The task's short title in the user's words, e.g. \"buy milk\" (at most 200 characters).")] string title,
        [Description("Optional details; leave out unless the user gave some.")] string? description = null,
        CancellationToken cancellationToken = default) =>
        RunAsync(kernel, AddTask, async (tasks, owner) =>
        {
            if (Invalid(title, description, titleRequired: true) is { } error) return error;
            var task = await tasks.AddAsync(owner, title, description, cancellationToken);
            return ToolResults.Changed(task, "created");
        });

    [KernelFunction(ListTasks)]
    [Description("Lists the user's tasks, oldest first, each with its task_id and its 1-based position in this list. " +
                 "When the user later says \"task 3\" or \"the second one\", they mean a position in the list shown last.")]
    public Task<JsonElement> ListTasksAsync(
        Kernel kernel,
        [Description("Which tasks: \"all\" (default), \"pending\" (not done yet) or \"completed\".")] string status = "all",
        CancellationToken cancellationToken = default) =>
        RunAsync(kernel, ListTasks, async (tasks, owner) =>
        {
            if (ParseFilter(status) is not { } filter)
            {
                return ToolResults.Error("invalid_argument", "status must be \"all\", \"pending\" or \"completed\".");
            }
            // One page from the database, however long the list is (docs/benchmarks.md, "Tasks at scale").
            var (first, total) = await tasks.FirstAsync(owner, filter, MaxListed, cancellationToken);
            return ToolResults.Listed("listed", Name(filter), null, first, total);
        });

    [KernelFunction(FindTasks)]
    [Description("Finds the user's tasks whose titles best match words such as \"meeting\" or \"the groceries one\"; " +
                 "tolerates typos and partial words. Use it to get the task_id of a task the user names. " +
                 "Several results mean the user must choose; none means no such task exists.")]
    public Task<JsonElement> FindTasksAsync(
        Kernel kernel,
        [Description("Words from the task's title, e.g. \"meeting\".")] string query,
        [Description("Search \"all\" tasks (default), only \"pending\" ones or only \"completed\" ones.")] string status = "all",
        CancellationToken cancellationToken = default) =>
        RunAsync(kernel, FindTasks, async (tasks, owner) =>
        {
            if (string.IsNullOrWhiteSpace(query)) return ToolResults.Error("invalid_argument", "query must not be empty.");
            if (ParseFilter(status) is not { } filter)
            {
                return ToolResults.Error("invalid_argument", "status must be \"all\", \"pending\" or \"completed\".");
            }
            // The database narrows the list to titles that share (nearly) a word with the query; the matcher ranks those.
            var candidates = await tasks.CandidatesAsync(owner, filter, TaskMatcher.Words(query), cancellationToken);
            var matches = TaskMatcher.BestMatches(candidates, t => t.Title, query);
            return ToolResults.Listed("found", Name(filter), query, [.. matches.Take(MaxListed)], matches.Count);
        });

    [KernelFunction(CompleteTask)]
    [Description("Marks one task as done.")]
    public Task<JsonElement> CompleteTaskAsync(
        Kernel kernel,
        [Description("The task_id from list_tasks, find_tasks or a tagged task (not the position).")] long task_id,
        CancellationToken cancellationToken = default) =>
        RunAsync(kernel, CompleteTask, async (tasks, owner) =>
        {
            var before = await tasks.GetAsync(owner, task_id, cancellationToken);
            if (before is null) return NotFound(task_id);
            var task = before.Completed ? before : await tasks.CompleteAsync(owner, task_id, cancellationToken) ?? before;
            return ToolResults.Changed(task, "completed", alreadyCompleted: before.Completed ? true : null);
        });

    [KernelFunction(ReopenTask)]
    [Description("Marks a completed task as not done again.")]
    public Task<JsonElement> ReopenTaskAsync(
        Kernel kernel,
        [Description("The task_id of the task to reopen.")] long task_id,
        CancellationToken cancellationToken = default) =>
        RunAsync(kernel, ReopenTask, async (tasks, owner) =>
            await tasks.UpdateAsync(owner, task_id, completed: false, ct: cancellationToken) is { } task
                ? ToolResults.Changed(task, "reopened")
                : NotFound(task_id));

    [KernelFunction(UpdateTask)]
    [Description("Changes a task's title and/or description; leave out what stays the same.")]
    public Task<JsonElement> UpdateTaskAsync(
        Kernel kernel,
        [Description("The task_id of the task to change.")] long task_id,
        [Description("The new title, if the user renames the task.")] string? title = null,
        [Description("The new description; an empty string removes it.")] string? description = null,
        CancellationToken cancellationToken = default) =>
        RunAsync(kernel, UpdateTask, async (tasks, owner) =>
        {
            if (title is null && description is null)
            {
                return ToolResults.Error("invalid_argument", "Give a new title or description.");
            }
            if (Invalid(title, description, titleRequired: false) is { } error) return error;
            return await tasks.UpdateAsync(owner, task_id, title, description, ct: cancellationToken) is { } task
                ? ToolResults.Changed(task, "updated")
                : NotFound(task_id);
        });

    [KernelFunction(DeleteTask)]
    [Description("Deletes one task for good.")]
    public Task<JsonElement> DeleteTaskAsync(
        Kernel kernel,
        [Description("The task_id of the task to delete.")] long task_id,
        CancellationToken cancellationToken = default) =>
        RunAsync(kernel, DeleteTask, async (tasks, owner) =>
            await tasks.DeleteAsync(owner, task_id, cancellationToken) is { } task
                ? ToolResults.Changed(task, "deleted")
                : NotFound(task_id));

    [KernelFunction(DeleteCompletedTasks)]
    [Description("Deletes every task the user has completed (\"clear my done tasks\") and returns what was removed.")]
    public Task<JsonElement> DeleteCompletedTasksAsync(Kernel kernel, CancellationToken cancellationToken = default) =>
        RunAsync(kernel, DeleteCompletedTasks, async (tasks, owner) =>
            ToolResults.Removed(await tasks.DeleteCompletedAsync(owner, cancellationToken)));

    async Task<JsonElement> RunAsync(Kernel kernel, string tool, Func<TaskService, string, Task<JsonElement>> action)
    {
        try
        {
            return await action(kernel.GetRequiredService<TaskService>(), kernel.GetRequiredService<CurrentUser>().Id);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Tool {Tool} failed", tool);
            return ToolResults.Error("unavailable", "The task store could not be reached; nothing was changed. Try again shortly.");
        }
    }

    static JsonElement? Invalid(string? title, string? description, bool titleRequired) =>
        TaskService.Validate(title, description, titleRequired) is { Count: > 0 } errors
            ? ToolResults.Error("invalid_argument", string.Join(" ", errors.Values.SelectMany(e => e)))
            : null;

    static JsonElement NotFound(long id) =>
        ToolResults.Error("not_found", $"There is no task with task_id {id} on the user's list.");

    static TaskStatusFilter? ParseFilter(string? status) => status?.Trim().ToLowerInvariant() switch
    {
        null or "" or "all" => TaskStatusFilter.All,
        "pending" or "open" or "todo" => TaskStatusFilter.Pending,
        "completed" or "done" => TaskStatusFilter.Completed,
        _ => null,
    };

    static string Name(TaskStatusFilter filter) => filter.ToString().ToLowerInvariant();
}
