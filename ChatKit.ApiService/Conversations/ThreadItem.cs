using System.Text;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Npgsql;
using NpgsqlTypes;

namespace ChatKit.ApiService.Conversations;

/// <summary>
/// One ChatKit thread item of any kind (user_message, assistant_message, widget, client_tool_call, hidden context…):
/// the one type for a row of <c>thread_items</c>, mapped by EF Core and read by the hand-written statements
/// (<see cref="Read"/>). The item itself is stored as JSON so that every kind round-trips exactly; a few columns are
/// pulled out for queries. An item to insert leaves <see cref="ThreadId"/>, <see cref="OwnerId"/> and
/// <see cref="Seq"/> to the store (it writes the turn's thread and owner); reads fill the columns they select.
/// </summary>
public sealed record ThreadItem
{
    public required string Id { get; init; }
    public string ThreadId { get; init; } = "";
    public string OwnerId { get; init; } = "";
    /// <summary>Insertion order; breaks ties between items created in the same instant and drives keyset paging.</summary>
    public long Seq { get; init; }
    public required string Type { get; init; }
    public DateTime CreatedAt { get; init; }
    /// <summary>The item's plain text (message text), for search, for the model's history and for the REST view.</summary>
    public string? Text { get; init; }
    /// <summary>The item's JSON as UTF-8, exactly as written (the column is <c>json</c>, never re-encoded).</summary>
    public byte[] Data { get; init; } = [];
    /// <summary>"positive" or "negative" from items.feedback.</summary>
    public string? Feedback { get; init; }

    public bool IsMessage => Type is ItemTypes.UserMessage or ItemTypes.AssistantMessage;

    /// <summary>
    /// Reads rows of (id, type, created_at, seq[, text][, data]) by name; the ordinals are looked up once per result
    /// set. Text and data are optional columns (a page of items has no text, the REST view no data).
    /// </summary>
    internal static Func<ThreadItem> Read(NpgsqlDataReader reader)
    {
        int id = reader.GetOrdinal("id"), type = reader.GetOrdinal("type"), createdAt = reader.GetOrdinal("created_at"),
            seq = reader.GetOrdinal("seq"), text = OrdinalOrNone(reader, "text"), data = OrdinalOrNone(reader, "data");
        return () => new ThreadItem
        {
            Id = reader.GetString(id),
            Type = reader.GetString(type),
            CreatedAt = reader.GetDateTime(createdAt),
            Seq = reader.GetInt64(seq),
            Text = text < 0 || reader.IsDBNull(text) ? null : reader.GetString(text),
            Data = data < 0 || reader.IsDBNull(data) ? [] : reader.GetFieldValue<byte[]>(data),
        };
    }

    static int OrdinalOrNone(NpgsqlDataReader reader, string name)
    {
        for (var i = 0; i < reader.FieldCount; i++)
        {
            if (reader.GetName(i) == name) return i;
        }
        return -1;
    }
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
        item.Property(i => i.Data).HasColumnName("data").HasColumnType("json").IsRequired()
            .HasConversion(new ValueConverter<byte[], string>(bytes => Encoding.UTF8.GetString(bytes), json => Encoding.UTF8.GetBytes(json)),
                new ArrayStructuralComparer<byte>());
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
