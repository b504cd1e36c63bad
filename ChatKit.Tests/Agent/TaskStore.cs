using Npgsql;

namespace ChatKit.Tests.Agent;

/// <summary>Seeds and reads tasks straight in the agent's database, to set up and check what the agent did.</summary>
public sealed class TaskStore(string connectionString)
{
    public static string NewUser() => $"user-{Guid.NewGuid():N}";

    /// <summary>Adds tasks in order; "[x] pay rent" is a completed task.</summary>
    public async Task<IReadOnlyList<long>> SeedAsync(string owner, params string[] tasks)
    {
        var ids = new List<long>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var spec in tasks)
        {
            var completed = spec.StartsWith("[x] ", StringComparison.Ordinal);
            await using var insert = new NpgsqlCommand(
                "insert into tasks (owner_id, title, completed, created_at, updated_at) values ($1, $2, $3, now(), now()) returning id", connection);
            insert.Parameters.Add(new() { Value = owner });
            insert.Parameters.Add(new() { Value = completed ? spec[4..] : spec });
            insert.Parameters.Add(new() { Value = completed });
            ids.Add((long)(await insert.ExecuteScalarAsync())!);
        }
        return ids;
    }

    /// <summary>The owner's tasks, oldest first, as "title", "[x] title" when completed, plus " {description}" when set.</summary>
    public async Task<IReadOnlyList<string>> StateAsync(string owner)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand("select title, completed, description from tasks where owner_id = $1 order by id", connection);
        select.Parameters.Add(new() { Value = owner });
        await using var reader = await select.ExecuteReaderAsync();
        var state = new List<string>();
        while (await reader.ReadAsync())
        {
            var description = reader.IsDBNull(2) ? "" : $" {{{reader.GetString(2)}}}";
            state.Add((reader.GetBoolean(1) ? "[x] " : "") + reader.GetString(0) + description);
        }
        return state;
    }
}
