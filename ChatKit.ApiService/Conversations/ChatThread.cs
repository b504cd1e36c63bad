using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore;
using NpgsqlTypes;

namespace ChatKit.ApiService.Conversations;

/// <summary>A conversation (ChatKit thread). Status and metadata are kept as the JSON ChatKit uses.</summary>
public sealed class ChatThread
{
    public const int TitleMaxLength = 200;

    public required string Id { get; set; }
    public required string OwnerId { get; set; }
    public string? Title { get; set; }
    public string StatusJson { get; set; } = """{"type":"active"}""";
    public string MetadataJson { get; set; } = "{}";
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    /// <summary>User and assistant messages, kept on the row so listing needs no count over the items.</summary>
    public int MessageCount { get; set; }
    /// <summary>
    /// The lease of the turn running on the thread (turns on one thread run one after the other, across replicas).
    /// Taken and released in single statements and renewed while the turn runs, so no connection is held in between
    /// and a crashed replica's lease simply runs out.
    /// </summary>
    public Guid? TurnLease { get; set; }
    public DateTime? TurnLeaseExpiresAt { get; set; }
    public List<ThreadItem> Items { get; set; } = [];
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
        // Search over titles (the REST list's q): a stored tsvector kept by PostgreSQL, GIN-indexed.
        thread.Property<NpgsqlTsVector>("Search")
            .HasComputedColumnSql("to_tsvector('simple'::regconfig, coalesce(title, ''))", stored: true);
        thread.HasIndex("Search").HasMethod("gin");
        thread.HasMany(t => t.Items).WithOne().HasForeignKey(i => i.ThreadId).OnDelete(DeleteBehavior.Cascade);
    }
}
