using ChatKit.ApiService.ChatKit.Protocol;
namespace ChatKit.ApiService.Turns;

public static class TurnsExtensions
{
    /// <summary>The turns (messages, continuations, widget actions) and the per-user cap on turns in flight.</summary>
    public static IHostApplicationBuilder AddTurns(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<UserTurnLimiter>();
        // Scoped: the typed AgentClient is transient and must not be captured by a singleton.
        builder.Services.AddScoped<TurnResponder>();
        builder.Services.AddScoped<TurnPipeline>();
        builder.Services.AddScoped<WidgetActions>();
        return builder;
    }
}
