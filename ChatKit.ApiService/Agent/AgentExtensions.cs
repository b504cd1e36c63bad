using Microsoft.Extensions.Options;

namespace ChatKit.ApiService.Agent;

public static class AgentExtensions
{
    /// <summary>
    /// The agent client: no retries and its own timeouts (a turn is a non-idempotent stream), the caller's token added
    /// by <see cref="CallerTokenHandler"/>.
    /// </summary>
    public static IHostApplicationBuilder AddAgentClient(this IHostApplicationBuilder builder)
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
        return builder;
    }
}
