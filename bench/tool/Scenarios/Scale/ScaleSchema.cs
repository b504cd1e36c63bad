namespace ChatKit.Bench.Scenarios.Scale;

/// <summary>Where a server keeps threads and items, for the SQL cloner.</summary>
public sealed record ScaleSchema(string Db, string Threads, string Items, string Owner, string ItemThread, string CreatedAt, string? UpdatedAt, string? ItemData, string? ThreadData)
{
    public static readonly Dictionary<string, ScaleSchema> ByTarget = new()
    {
        ["ours"] = new("conversationsdb", "threads", "thread_items", "owner_id", "thread_id", "created_at", "updated_at", "data", null),
        ["peer-pg"] = new("peerdb", "peer_threads", "peer_items", "user_id", "thread_id", "created_at", null, "data", "data"),
    };
}
