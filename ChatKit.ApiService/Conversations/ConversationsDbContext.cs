using Microsoft.EntityFrameworkCore;

namespace ChatKit.ApiService.Conversations;

public sealed class ConversationsDbContext(DbContextOptions<ConversationsDbContext> options) : DbContext(options)
{
    public DbSet<ChatThread> Threads => Set<ChatThread>();
    public DbSet<ThreadItem> Items => Set<ThreadItem>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ConversationsDbContext).Assembly);
}
