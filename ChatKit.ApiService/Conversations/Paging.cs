using System.Globalization;

namespace ChatKit.ApiService.Conversations;

public sealed record Page<T>(IReadOnlyList<T> Data, bool HasMore, string? After)
{
    /// <summary>A page from up to <paramref name="limit"/> + 1 rows: the extra row only says there are more.</summary>
    internal static Page<T> From(List<T> rows, int limit, Func<T, string> id)
    {
        var hasMore = rows.Count > limit;
        if (hasMore) rows.RemoveAt(limit);
        return new Page<T>(rows, hasMore, hasMore && rows.Count > 0 ? id(rows[^1]) : null);
    }
}

public enum SortOrder { Asc, Desc }

/// <summary>The REST list's cursor: the last thread's activity time and id, so paging is stable while threads move.</summary>
public readonly record struct ActivityCursor(DateTime UpdatedAt, string ThreadId)
{
    public string Encode() => (UpdatedAt.Ticks / 10).ToString(CultureInfo.InvariantCulture) + "." + ThreadId;

    public static bool TryParse(string? value, out ActivityCursor cursor)
    {
        cursor = default;
        var dot = value?.IndexOf('.') ?? -1;
        if (dot <= 0 || !long.TryParse(value.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var micros)
            || micros > DateTime.MaxValue.Ticks / 10 || dot == value!.Length - 1) return false;
        cursor = new ActivityCursor(new DateTime(micros * 10, DateTimeKind.Utc), value[(dot + 1)..]);
        return true;
    }
}
