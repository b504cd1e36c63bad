using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace ChatKit.ApiService.Conversations;

/// <summary>
/// A conversation (ChatKit thread): the one type for a row of <c>threads</c>, mapped by EF Core and read by the
/// hand-written statements (<see cref="Read"/>). Status and metadata are kept as the JSON ChatKit uses.
/// </summary>
public sealed record ChatThread
{
    public const int TitleMaxLength = 200;

    public const string ActiveStatus = """{"type":"active"}""";

    public required string Id { get; init; }
    public required string OwnerId { get; init; }
    public string? Title { get; init; }
    public string StatusJson { get; init; } = ActiveStatus;
    public string MetadataJson { get; init; } = "{}";
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }
    /// <summary>User and assistant messages, kept on the row so listing needs no count over the items.</summary>
    public int MessageCount { get; init; }
    /// <summary>
    /// The lease of the turn running on the thread (turns on one thread run one after the other, across replicas).
    /// Taken and released in single statements and renewed while the turn runs, so no connection is held in between
    /// and a crashed replica's lease simply runs out.
    /// </summary>
    public Guid? TurnLease { get; init; }
    public DateTime? TurnLeaseExpiresAt { get; init; }
    public List<ThreadItem> Items { get; init; } = [];

    /// <summary>The columns the hand-written statements select for <see cref="Read"/>.</summary>
    internal const string Columns = "id, owner_id, title, status::text AS status, created_at, updated_at, message_count";

    /// <summary>Reads rows of <see cref="Columns"/> by name; the ordinals are looked up once per result set.</summary>
    internal static Func<ChatThread> Read(NpgsqlDataReader reader)
    {
        int id = reader.GetOrdinal("id"), owner = reader.GetOrdinal("owner_id"), title = reader.GetOrdinal("title"),
            status = reader.GetOrdinal("status"), createdAt = reader.GetOrdinal("created_at"), updatedAt = reader.GetOrdinal("updated_at"),
            messageCount = reader.GetOrdinal("message_count");
        return () => new ChatThread
        {
            Id = reader.GetString(id),
            OwnerId = reader.GetString(owner),
            Title = reader.IsDBNull(title) ? null : reader.GetString(title),
            StatusJson = reader.GetString(status),
            CreatedAt = reader.GetDateTime(createdAt),
            UpdatedAt = reader.GetDateTime(updatedAt),
            MessageCount = reader.GetInt32(messageCount),
        };
    }
}

sealed class ChatThreadConfiguration : IEntityTypeConfiguration<ChatThread>
{
    public void Configure(EntityTypeBuilder<ChatThread> thread)
    {
        thread.ToTable("threads");
        thread.HasKey(t => t.Id);
        thread.Property(t => t.Id).HasMaxLength(64);
        thread.Property(t => t.OwnerId).HasMaxLength(128).IsRequired();
        thread.Property(t => t.Title).HasMaxLength(ChatThread.TitleMaxLength);
        thread.Property(t => t.StatusJson).HasColumnName("status").HasColumnType("jsonb").IsRequired();
        thread.Property(t => t.MetadataJson).HasColumnName("metadata").HasColumnType("jsonb").IsRequired();
        // Keyset paging: ChatKit's threads.list orders by creation, the REST list by latest activity.
        thread.HasIndex(t => new { t.OwnerId, t.CreatedAt, t.Id });
        thread.HasIndex(t => new { t.OwnerId, t.UpdatedAt, t.Id });
        // A user's turns in flight across replicas are the leases held on their threads (TurnStore counts them).
        thread.HasIndex(t => t.OwnerId).HasDatabaseName("ix_threads_owner_id_turn_in_flight").HasFilter("turn_lease IS NOT NULL");
        // Search over titles (the REST list's q): a stored tsvector kept by PostgreSQL, GIN-indexed.
        thread.Property<NpgsqlTsVector>("Search")
            .HasComputedColumnSql("to_tsvector('simple'::regconfig, coalesce(title, ''))", stored: true);
        thread.HasIndex("Search").HasMethod("gin");
        thread.HasMany(t => t.Items).WithOne().HasForeignKey(i => i.ThreadId).OnDelete(DeleteBehavior.Cascade);
    }
}
