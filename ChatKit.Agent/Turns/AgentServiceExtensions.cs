using ChatKit.Agent.Contracts;
using ChatKit.Agent.Models;
using ChatKit.Agent.Tools;
using System.Security.Claims;
using ChatKit.ServiceDefaults.Auth;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using OpenTelemetry.Metrics;

namespace ChatKit.Agent.Turns;

public static class AgentServiceExtensions
{
    /// <summary>
    /// Adds the task agent: the configured model (<see cref="ModelServiceExtensions.AddAgentModel"/>), a kernel per
    /// request carrying the shared <see cref="TaskTools"/> plugin (which acts for the request's user),
    /// <see cref="ITodoAgent"/> and its telemetry.
    /// </summary>
    public static IHostApplicationBuilder AddTodoAgent(this IHostApplicationBuilder builder)
    {
        builder.AddAgentModel();
        builder.Services.AddOptions<TurnOptions>().BindConfiguration(TurnOptions.Section)
            .Validate(o => o.MaxHistoryMessages >= 0 && o.MaxHistoryCharacters >= 0 && o.MaxMessageCharacters > 0,
                "Agent:Turns limits must not be negative.")
            .ValidateOnStart();
        // Built once: creating the plugin by reflection on every turn was 16% of the agent's CPU (docs/benchmarks.md).
        builder.Services.AddSingleton(services =>
            KernelPluginFactory.CreateFromObject(ActivatorUtilities.CreateInstance<TaskTools>(services), TaskTools.PluginName));
        builder.Services.AddScoped(services => new Kernel(services, new KernelPluginCollection { services.GetRequiredService<KernelPlugin>() }));
        // The warm-up's turns get the local model (ModelServiceExtensions.WarmUpKey); the constructor is looked up once.
        var createAgent = ActivatorUtilities.CreateFactory<TodoAgent>([typeof(IChatClient)]);
        builder.Services.AddScoped<ITodoAgent>(services => createAgent(services,
        [
            services.GetRequiredService<CurrentUser>().Principal.FindFirstValue(CurrentUser.SubjectClaim) == WarmUp.UserId
                ? services.GetRequiredKeyedService<IChatClient>(ModelServiceExtensions.WarmUpKey)
                : services.GetRequiredService<IChatClient>(),
        ]));
        builder.Services.AddSingleton<AgentTelemetry>();
        // The turn request is read with the contract's source-generated metadata, the one the API writes it with.
        builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, AgentJsonContext.Default));
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics
            .AddMeter(ModelServiceExtensions.TelemetrySourceName)
            .AddMeter("Microsoft.SemanticKernel*"));
        return builder;
    }
}
