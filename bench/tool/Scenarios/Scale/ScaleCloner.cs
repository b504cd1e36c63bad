namespace ChatKit.Bench.Scenarios.Scale;

/// <summary>Clones a user's one real thread and its first item with SQL, up to N rows, in whichever schema the target keeps.</summary>
public static class ScaleCloner
{
    /// <summary>Clones the template thread (n-1 copies for the user) and its first item (up to n items in the thread), with SQL.</summary>
    public static async Task CloneAsync(BenchPostgres pg, ScaleSchema s, string user, string threadId, int n)
    {
        var threadCols = await InsertableColumns(pg, s.Db, s.Threads);
        var itemCols = await InsertableColumns(pg, s.Db, s.Items);
        var tag = Convert.ToHexStringLower(BitConverter.GetBytes(n))[..6];
        string Sel(List<string> cols, Dictionary<string, string> overrides) =>
            string.Join(", ", cols.Select(c => overrides.TryGetValue(c, out var e) ? e : "t." + c));
        // Threads: oldest first, one microsecond apart, ending before the template.
        var tOver = new Dictionary<string, string>
        {
            ["id"] = $"'thr_' || '{tag}' || lpad(to_hex(g), 18, '0')",
            [s.CreatedAt] = $"t.{s.CreatedAt} - (g * interval '1 millisecond')",
        };
        if (s.UpdatedAt is not null) tOver[s.UpdatedAt] = $"t.{s.UpdatedAt} - (g * interval '1 millisecond')";
        if (s.ThreadData is not null) tOver[s.ThreadData] = $"replace(t.{s.ThreadData}::text, '{threadId}', 'thr_' || '{tag}' || lpad(to_hex(g), 18, '0'))::{await ColumnType(pg, s.Db, s.Threads, s.ThreadData)}";
        var order = s.Threads == "peer_threads" ? "order by g desc" : "";
        if (n > 1)
            await pg.ExecAsync(s.Db, $"insert into {s.Threads} ({string.Join(", ", threadCols)}) select {Sel(threadCols, tOver)} from {s.Threads} t, generate_series(1, {n - 1}) g where t.id = '{threadId}' {order}");
        // Items: copies of the template's first item, appended after the existing ones.
        var existing = int.Parse((await pg.LinesAsync(s.Db, $"select count(*) from {s.Items} where {s.ItemThread} = '{threadId}'"))[0]);
        var extra = n - existing;
        if (extra <= 0) return;
        var first = (await pg.LinesAsync(s.Db, $"select id from {s.Items} where {s.ItemThread} = '{threadId}' order by {s.CreatedAt}, id limit 1"))[0];
        var iOver = new Dictionary<string, string>
        {
            ["id"] = $"'msg_' || '{tag}' || lpad(to_hex(g), 18, '0')",
            [s.CreatedAt] = $"now() + (g * interval '1 millisecond')",
        };
        if (s.ItemData is not null) iOver[s.ItemData] = $"replace(t.{s.ItemData}::text, '{first}', 'msg_' || '{tag}' || lpad(to_hex(g), 18, '0'))::{await ColumnType(pg, s.Db, s.Items, s.ItemData)}";
        await pg.ExecAsync(s.Db, $"insert into {s.Items} ({string.Join(", ", itemCols)}) select {Sel(itemCols, iOver)} from {s.Items} t, generate_series(1, {extra}) g where t.id = '{first}' order by g");
    }

    /// <summary>Columns an INSERT may set: not generated, not identity, no sequence default.</summary>
    static Task<List<string>> InsertableColumns(BenchPostgres pg, string db, string table) => pg.LinesAsync(db,
        $"select column_name from information_schema.columns where table_name = '{table}' and is_generated = 'NEVER' and is_identity = 'NO' " +
        "and coalesce(column_default, '') not like 'nextval%' order by ordinal_position");

    static async Task<string> ColumnType(BenchPostgres pg, string db, string table, string column) =>
        (await pg.LinesAsync(db, $"select data_type from information_schema.columns where table_name = '{table}' and column_name = '{column}'"))[0];
}
