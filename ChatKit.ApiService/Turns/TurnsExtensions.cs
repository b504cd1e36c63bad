using ChatKit.ApiService.Agent;
using Microsoft.Extensions.Options;

namespace ChatKit.ApiService.Turns;

public static class TurnsExtensions
{
    /// <summary>
    /// The agent client (no retries, own timeouts: a turn is a non-idempotent stream; the caller's token added by
    /// <see cref="CallerTokenHandler"/>) and the turn pipeline.
    /// </summary>
    public static IHostApplicationBuilder AddTurns(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AgentOptions>().BindConfiguration(AgentOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddTransient<CallerTokenHandler>();
#pragma warning disable EXTEXP0001 // experimental, but the documented way to opt one client out of the default resilience handler
        builder.Services.AddHttpClient<AgentClient>((services, http) =>
            {
                http.BaseAddress = services.GetRequiredService<IOptions<AgentOptions>>().Value.BaseAddress;
                http.Timeout = Timeout.InfiniteTimeSpan;
            })
            .RemoveAllResilienceHandlers()
            .AddHttpMessageHandler<CallerTokenHandler>();
#pragma warning restore EXTEXP0001
        builder.Services.AddSingleton<UserTurnLimiter>();
        // Scoped: the typed AgentClient is transient and must not be captured by a singleton.
        builder.Services.AddScoped<TurnPipeline>();
        return builder;
    }
}
