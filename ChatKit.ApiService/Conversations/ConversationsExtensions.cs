using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ChatKit.ApiService.Conversations;

public static class ConversationsExtensions
{
    public const string ConnectionName = "conversationsdb";

    /// <summary>
    /// The conversation store on one pooled <see cref="NpgsqlDataSource"/> of <c>conversationsdb</c>, registered by
    /// Aspire's Npgsql integration (health check, tracing, metrics) with the settings the services are measured with
    /// (<see cref="PostgresConnections.ForServices"/>: a small pool, auto-prepared statements, no session reset). EF Core
    /// (<see cref="ConversationsDbContext"/>, from a pooled factory) runs on that same data source: it owns the schema and the
    /// statements that are not hot; <see cref="TurnStore"/>, <see cref="ThreadStore"/> and <see cref="ItemStore"/>
    /// keep the benchmarked statements as hand-written SQL.
    /// </summary>
    public static IHostApplicationBuilder AddConversationStore(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ConversationOptions>().BindConfiguration(ConversationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.AddNpgsqlDataSource(ConnectionName, settings => settings.ConnectionString = settings.ConnectionString is { } connectionString
            ? PostgresConnections.ForServices(connectionString)
            : null);
        // A pooled factory, not a scoped context: a store takes a context for one call and gives it back, so a turn
        // that streams for seconds leases nothing (a scoped context would be held by every request in flight).
        builder.Services.AddPooledDbContextFactory<ConversationsDbContext>((services, options) => options
            .UseNpgsql(services.GetRequiredService<NpgsqlDataSource>())
            .UseSnakeCaseNamingConvention());
        // Retries and EF Core's metrics; the data source already checks health and traces every command.
        builder.EnrichNpgsqlDbContext<ConversationsDbContext>(settings =>
        {
            settings.DisableHealthChecks = true;
            settings.DisableTracing = true;
        });
        builder.Services.AddSingleton<ThreadLocks>();
        builder.Services.AddSingleton<TurnStore>();
        builder.Services.AddSingleton<ThreadStore>();
        builder.Services.AddSingleton<ItemStore>();
        return builder;
    }
}
