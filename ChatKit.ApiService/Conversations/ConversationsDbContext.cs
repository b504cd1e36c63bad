using Microsoft.EntityFrameworkCore;

namespace ChatKit.ApiService.Conversations;

public sealed class ConversationsDbContext(DbContextOptions<ConversationsDbContext> options) : DbContext(options)
{
    public DbSet<ChatThread> Threads => Set<ChatThread>();
    public DbSet<ThreadItem> Items => Set<ThreadItem>();
    public DbSet<StoredAttachment> Attachments => Set<StoredAttachment>();
    public DbSet<AttachmentContent> AttachmentContents => Set<AttachmentContent>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ConversationsDbContext).Assembly);
}
