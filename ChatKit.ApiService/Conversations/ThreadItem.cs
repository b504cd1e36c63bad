using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore;
using NpgsqlTypes;

namespace ChatKit.ApiService.Conversations;

/// <summary>
/// One ChatKit thread item of any kind (user_message, assistant_message, widget, client_tool_call, hidden context…).
/// The item itself is stored as JSON so that every kind round-trips exactly; a few columns are pulled out for queries.
/// </summary>
public sealed class ThreadItem
{
    public required string Id { get; set; }
    public required string ThreadId { get; set; }
    public required string OwnerId { get; set; }
    /// <summary>Insertion order; breaks ties between items created in the same instant and drives keyset paging.</summary>
    public long Seq { get; set; }
    public required string Type { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>The item's plain text (message text), for search and for the model's history.</summary>
    public string? Text { get; set; }
    public required string DataJson { get; set; }
    /// <summary>"positive" or "negative" from items.feedback.</summary>
    public string? Feedback { get; set; }
}

sealed class ThreadItemConfiguration : IEntityTypeConfiguration<ThreadItem>
{
    public void Configure(EntityTypeBuilder<ThreadItem> item)
    {
        item.ToTable("thread_items");
        item.HasKey(i => i.Id);
        item.Property(i => i.Id).HasMaxLength(64);
        item.Property(i => i.ThreadId).HasMaxLength(64).IsRequired();
        item.Property(i => i.OwnerId).HasMaxLength(128).IsRequired();
        item.Property(i => i.Seq).UseIdentityAlwaysColumn();
        item.Property(i => i.Type).HasMaxLength(64).IsRequired();
        // json, not jsonb: the item's bytes come back exactly as written (key order, user dictionaries) and nothing is re-encoded.
        item.Property(i => i.DataJson).HasColumnName("data").HasColumnType("json").IsRequired();
        item.Property(i => i.Feedback).HasMaxLength(16);
        // One btree serves paging a thread's items in both directions.
        item.HasIndex(i => new { i.ThreadId, i.Seq }).IsUnique();
        // Search over message text (the REST list's q); only user and assistant messages are searchable.
        item.Property<NpgsqlTsVector>("Search").HasComputedColumnSql(
            "to_tsvector('simple'::regconfig, CASE WHEN type IN ('user_message', 'assistant_message') THEN coalesce(text, '') ELSE '' END)",
            stored: true);
        item.HasIndex("Search").HasMethod("gin");
    }
}
