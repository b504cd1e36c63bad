using ChatKit.Agent.Contracts;
using Microsoft.EntityFrameworkCore;

namespace ChatKit.Agent.Tasks;

public enum TaskStatusFilter { All, Pending, Completed }

public sealed record TaskPage(IReadOnlyList<TaskItem> Items, bool HasMore, long? After);

/// <summary>
/// The one place tasks are read and written, used by the REST endpoints and the agent's kernel functions alike: EF Core
/// queries, an insert through <see cref="DbContext.SaveChangesAsync(CancellationToken)"/>, owner-scoped
/// <c>ExecuteUpdateAsync</c>/<c>ExecuteDeleteAsync</c> for changes. Every method takes the owner from the caller's
/// validated token and filters by it, so a foreign id behaves like a missing one.
/// </summary>
public sealed class TaskService(TasksDbContext db, TimeProvider clock)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    public async Task<TaskPage> ListAsync(string ownerId, TaskStatusFilter status = TaskStatusFilter.All, string? query = null,
        int limit = DefaultPageSize, long? after = null, CancellationToken ct = default)
    {
        limit = Math.Clamp(limit, 1, MaxPageSize);
        var tasks = WithStatus(OwnedBy(ownerId), status);
        query = query?.Replace("\0", "");
        if (!string.IsNullOrWhiteSpace(query))
        {
            var pattern = "%" + EscapeLike(query.Trim()) + "%";
            tasks = tasks.Where(t => EF.Functions.ILike(t.Title, pattern, "\\")
                                     || (t.Description != null && EF.Functions.ILike(t.Description, pattern, "\\")));
        }
        if (after is { } afterId)
        {
            tasks = tasks.Where(t => t.Id < afterId);
        }

        var page = await tasks.OrderByDescending(t => t.Id).Take(limit + 1).ToListAsync(ct);
        var hasMore = page.Count > limit;
        if (hasMore) page.RemoveAt(limit);
        return new TaskPage(page, hasMore, hasMore ? page[^1].Id : null);
    }

    public Task<TaskItem?> GetAsync(string ownerId, long id, CancellationToken ct = default) =>
        OwnedBy(ownerId).FirstOrDefaultAsync(t => t.Id == id, ct);

    public async Task<TaskItem> AddAsync(string ownerId, string title, string? description = null, CancellationToken ct = default)
    {
        var now = clock.UtcNowMicros();
        var task = new TaskItem
        {
            OwnerId = ownerId,
            Title = title.Trim(),
            Description = NormalizeDescription(description),
            CreatedAt = now,
            UpdatedAt = now,
        };
        // One INSERT … RETURNING id. The task is not kept tracked: a turn that adds many tasks must not make each
        // SaveChanges look through the ones before (add_task runs in most turns; docs/benchmarks.md).
        db.Tasks.Add(task);
        await db.SaveChangesAsync(ct);
        db.Entry(task).State = EntityState.Detached;
        return task;
    }

    /// <summary>
    /// Changes the given fields; null means "leave as is", an empty description clears it. A task that would not
    /// change is not written (its <c>updated_at</c> stays). Null when the owner has no such task.
    /// </summary>
    public async Task<TaskItem?> UpdateAsync(string ownerId, long id, string? title = null, string? description = null,
        bool? completed = null, CancellationToken ct = default)
    {
        title = title?.Trim();
        var setDescription = description is not null;
        description = NormalizeDescription(description);
        var now = clock.UtcNowMicros();
        await OwnedBy(ownerId)
            .Where(t => t.Id == id)
            .Where(t => (title != null && t.Title != title) || (setDescription && t.Description != description)
                        || (completed != null && t.Completed != completed))
            .ExecuteUpdateAsync(task =>
            {
                if (title is not null) task.SetProperty(t => t.Title, title);
                if (setDescription) task.SetProperty(t => t.Description, description);
                if (completed is { } done) task.SetProperty(t => t.Completed, done);
                task.SetProperty(t => t.UpdatedAt, now);
            }, ct);
        return await GetAsync(ownerId, id, ct);
    }

    /// <summary>Idempotent: completing a completed task returns it unchanged.</summary>
    public Task<TaskItem?> CompleteAsync(string ownerId, long id, CancellationToken ct = default) =>
        UpdateAsync(ownerId, id, completed: true, ct: ct);

    /// <summary>Deletes the task and returns it as it was; null when the owner has no such task.</summary>
    public async Task<TaskItem?> DeleteAsync(string ownerId, long id, CancellationToken ct = default)
    {
        var task = await GetAsync(ownerId, id, ct);
        if (task is null) return null;
        return await OwnedBy(ownerId).Where(t => t.Id == id).ExecuteDeleteAsync(ct) == 0 ? null : task;
    }

    /// <summary>Deletes every completed task of the owner and returns what was removed.</summary>
    public async Task<IReadOnlyList<TaskItem>> DeleteCompletedAsync(string ownerId, CancellationToken ct = default)
    {
        var completed = await OwnedBy(ownerId).Where(t => t.Completed).OrderBy(t => t.Id).ToListAsync(ct);
        if (completed.Count == 0) return completed;
        var ids = completed.Select(t => t.Id).ToArray();
        await OwnedBy(ownerId).Where(t => ids.Contains(t.Id)).ExecuteDeleteAsync(ct);
        return completed;
    }

    /// <summary>
    /// The first <paramref name="limit"/> of the owner's tasks in list order (oldest first) and how many there are in
    /// all: one page and, only when there is more, an index count; the tasks beyond the page are never loaded.
    /// </summary>
    public async Task<(IReadOnlyList<TaskItem> Tasks, int Total)> FirstAsync(string ownerId, TaskStatusFilter status, int limit,
        CancellationToken ct = default)
    {
        var tasks = WithStatus(OwnedBy(ownerId), status);
        var page = await tasks.OrderBy(t => t.Id).Take(limit).ToListAsync(ct);
        return (page, page.Count < limit ? page.Count : await tasks.CountAsync(ct));
    }

    /// <summary>At most this many candidates of a fuzzy search are loaded (the matcher ranks them).</summary>
    public const int MaxCandidates = 200;

    /// <summary>
    /// The owner's tasks whose titles may match <paramref name="words"/>, oldest first (at most
    /// <see cref="MaxCandidates"/>): a word's first letters in the title as a substring, or the word close to one of the
    /// title's words by pg_trgm's word similarity (typos, partial words), both answered by the title's trigram index.
    /// The caller ranks them (<c>TaskMatcher</c>).
    /// </summary>
    public async Task<IReadOnlyList<TaskItem>> CandidatesAsync(string ownerId, TaskStatusFilter status, IReadOnlyList<string> words,
        CancellationToken ct = default)
    {
        if (words.Count == 0) return [];
        var parameters = new List<object> { ownerId };
        var conditions = new List<string>();
        foreach (var word in words.Take(8))
        {
            // A close word (pg_trgm's default 0.6 word similarity), or the word as a substring: for a word longer than
            // four letters only its first four, which keeps a typo further on ("grocries" is 0.58 from "groceries").
            parameters.Add(word);
            parameters.Add("%" + EscapeLike(word.Length > 4 ? word[..4] : word) + "%");
            conditions.Add($"{{{parameters.Count - 2}}} <% title OR title ILIKE {{{parameters.Count - 1}}}");
        }
        // Only placeholders are joined into the SQL; every value is a parameter.
        var sql = "SELECT * FROM tasks WHERE owner_id = {0} AND (" + string.Join(" OR ", conditions) + ")";
        var matching = db.Tasks.FromSqlRaw(sql, [.. parameters]).AsNoTracking();
        return await WithStatus(matching, status).OrderBy(t => t.Id).Take(MaxCandidates).ToListAsync(ct);
    }

    /// <summary>Field errors for a new or changed task, keyed by the REST field name; empty when valid.</summary>
    public static Dictionary<string, string[]> Validate(string? title, string? description, bool titleRequired)
    {
        var errors = new Dictionary<string, string[]>();
        if (title is null)
        {
            if (titleRequired) errors["title"] = ["The title is required."];
        }
        else if (string.IsNullOrWhiteSpace(title))
        {
            errors["title"] = ["The title must not be empty."];
        }
        else if (title.Trim().Length > TaskItem.TitleMaxLength)
        {
            errors["title"] = [$"The title must be at most {TaskItem.TitleMaxLength} characters."];
        }
        else if (title.Contains('\0'))
        {
            errors["title"] = ["The title must not contain NUL characters."];
        }
        if (description is not null && description.Contains('\0'))
        {
            errors["description"] = ["The description must not contain NUL characters."];
        }
        else if (description is not null && description.Trim().Length > TaskItem.DescriptionMaxLength)
        {
            errors["description"] = [$"The description must be at most {TaskItem.DescriptionMaxLength} characters."];
        }
        return errors;
    }

    IQueryable<TaskItem> OwnedBy(string ownerId) => db.Tasks.AsNoTracking().Where(t => t.OwnerId == ownerId);

    static IQueryable<TaskItem> WithStatus(IQueryable<TaskItem> tasks, TaskStatusFilter status) => status switch
    {
        TaskStatusFilter.Pending => tasks.Where(t => !t.Completed),
        TaskStatusFilter.Completed => tasks.Where(t => t.Completed),
        _ => tasks,
    };

    static string? NormalizeDescription(string? description) =>
        string.IsNullOrWhiteSpace(description) ? null : description.Trim();

    static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");
}
