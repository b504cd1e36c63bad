using Npgsql;

namespace ChatKit.ApiService.Conversations;

public static class ConversationsExtensions
{
    public const string DataSourceKey = "conversationsdb";

    /// <summary>
    /// The conversation store over a pooled <see cref="NpgsqlDataSource"/> of <c>conversationsdb</c>, tuned for the
    /// write path (auto-prepared statements, no session reset on returning a connection to the pool).
    /// </summary>
    public static IHostApplicationBuilder AddConversationStore(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ConversationOptions>().BindConfiguration(ConversationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddKeyedSingleton(DataSourceKey, (services, _) =>
        {
            var connectionString = services.GetRequiredService<IConfiguration>().GetConnectionString(DataSourceKey)
                                   ?? throw new InvalidOperationException($"ConnectionStrings:{DataSourceKey} is not configured.");
            return new NpgsqlDataSourceBuilder(PostgresConnections.ForServices(connectionString)).Build();
        });
        builder.Services.AddSingleton<ThreadLocks>();
        builder.Services.AddSingleton<IAttachmentContents>(services =>
            new PostgresAttachmentContents(services.GetRequiredKeyedService<NpgsqlDataSource>(DataSourceKey)));
        builder.Services.AddSingleton(services => ActivatorUtilities.CreateInstance<ConversationStore>(services,
            services.GetRequiredKeyedService<NpgsqlDataSource>(DataSourceKey)));
        return builder;
    }
}
