using Npgsql;
using NpgsqlTypes;

namespace ChatKit.ApiService.Conversations;

/// <summary>
/// The few helpers of the hand-written statements (the hot paths, docs/benchmarks.md): positional parameters, the
/// <c>json</c> item bytes, and reading a result set with a row type's <c>Read</c> (columns by name).
/// </summary>
static class Sql
{
    public static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params object?[] args)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var arg in args) command.Parameters.Add(Parameter(arg));
        return command;
    }

    public static NpgsqlBatchCommand BatchCommand(string sql, params object?[] args)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var arg in args) command.Parameters.Add(Parameter(arg));
        return command;
    }

    /// <summary>The item's UTF-8 JSON as a <c>json</c> parameter: the bytes go out as they are.</summary>
    public static NpgsqlParameter Json(byte[] utf8) => new() { Value = utf8, NpgsqlDbType = NpgsqlDbType.Json };

    /// <summary>Every row of the current result set, read by <paramref name="read"/> (ordinals looked up once).</summary>
    public static async Task<List<T>> ReadAllAsync<T>(this NpgsqlDataReader reader, Func<NpgsqlDataReader, Func<T>> read, CancellationToken ct)
    {
        var rows = new List<T>();
        var next = read(reader);
        while (await reader.ReadAsync(ct)) rows.Add(next());
        return rows;
    }

    /// <summary>
    /// PostgreSQL text cannot hold NUL characters (the item JSON keeps them, escaped): they are dropped from plain-text
    /// columns, by the hand-written statements and the EF Core writes alike.
    /// </summary>
    public static string? PlainText(string? text) => text is not null && text.Contains('\0') ? text.Replace("\0", "") : text;

    static NpgsqlParameter Parameter(object? value) => value as NpgsqlParameter ?? new NpgsqlParameter
    {
        Value = value switch
        {
            null => DBNull.Value,
            string text => PlainText(text),
            _ => value,
        },
    };
}
