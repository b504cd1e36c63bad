using ChatKit.Agent.Models;
using ChatKit.Agent.Tools;
using Microsoft.SemanticKernel;
using OpenTelemetry.Metrics;

namespace ChatKit.Agent.Turns;

public static class AgentServiceExtensions
{
    /// <summary>
    /// Adds the task agent: the configured model (<see cref="ModelServiceExtensions.AddAgentModel"/>), a kernel per
    /// request carrying the <see cref="TaskTools"/> of the request's user, <see cref="ITodoAgent"/> and its telemetry.
    /// </summary>
    public static IHostApplicationBuilder AddTodoAgent(this IHostApplicationBuilder builder)
    {
        builder.AddAgentModel();
        builder.Services.AddOptions<TurnOptions>().BindConfiguration(TurnOptions.Section)
            .Validate(o => o.MaxHistoryMessages >= 0 && o.MaxHistoryCharacters >= 0 && o.MaxMessageCharacters > 0,
                "Agent:Turns limits must not be negative.")
            .ValidateOnStart();
        builder.Services.AddScoped(services =>
        {
            var kernel = new Kernel(services);
            kernel.Plugins.AddFromType<TaskTools>(TaskTools.PluginName, services);
            return kernel;
        });
        builder.Services.AddScoped<ITodoAgent, TodoAgent>();
        builder.Services.AddSingleton<AgentTelemetry>();
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics
            .AddMeter(ModelServiceExtensions.TelemetrySourceName)
            .AddMeter("Microsoft.SemanticKernel*"));
        return builder;
    }
}
