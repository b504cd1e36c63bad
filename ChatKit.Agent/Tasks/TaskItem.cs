using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ChatKit.Agent.Tasks;

/// <summary>One user's to-do item. Ids are database identities; "task 3" in a chat means a list position, not an id.</summary>
public sealed class TaskItem
{
    public const int TitleMaxLength = 200;
    public const int DescriptionMaxLength = 2000;

    public long Id { get; set; }
    public required string OwnerId { get; set; }
    public required string Title { get; set; }
    public string? Description { get; set; }
    public bool Completed { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

sealed class TaskItemConfiguration : IEntityTypeConfiguration<TaskItem>
{
    public void Configure(EntityTypeBuilder<TaskItem> task)
    {
        task.ToTable("tasks");
        task.HasKey(t => t.Id);
        task.Property(t => t.Id).UseIdentityAlwaysColumn();
        task.Property(t => t.OwnerId).HasMaxLength(128).IsRequired();
        task.Property(t => t.Title).HasMaxLength(TaskItem.TitleMaxLength).IsRequired();
        task.Property(t => t.Description).HasMaxLength(TaskItem.DescriptionMaxLength);
        // Listing is keyset-paged on id (identity order = creation order), newest first, optionally by status.
        task.HasIndex(t => new { t.OwnerId, t.Id }).IsDescending(false, true);
        task.HasIndex(t => new { t.OwnerId, t.Completed, t.Id }).IsDescending(false, false, true);
        // find_tasks: the title's trigrams, for word-similarity and substring matches (typos, partial words).
        task.HasIndex(t => t.Title).HasMethod("gin").HasOperators("gin_trgm_ops").HasDatabaseName("ix_tasks_title_trgm");
    }
}
