using System.ClientModel;
using System.ClientModel.Primitives;
using Azure.AI.OpenAI;
using ChatKit.Agent.Models.Local;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using OpenAI;

namespace ChatKit.Agent.Models;

public static class ModelServiceExtensions
{
    /// <summary>The HttpClient the OpenAI and Azure OpenAI connectors send through (its resilience handler retries).</summary>
    public const string HttpClientName = "model";
    const string WarmUpHttpClientName = "model-warm-up";
    /// <summary>The OpenTelemetry source and meter of the model calls (gen_ai.* spans and metrics).</summary>
    public const string TelemetrySourceName = "Microsoft.Extensions.AI";
    const string ServiceKey = "model";
    /// <summary>The key of the built-in local model, which answers the service's warm-up whatever the provider.</summary>
    public const string WarmUpKey = "warm-up";

    /// <summary>
    /// Registers the chat model chosen by <c>Agent:Model</c> as the <see cref="IChatClient"/> the agent uses:
    /// the built-in local model or an OpenAI / Azure OpenAI client, each wrapped the same way
    /// (kernel function invocation, OpenTelemetry, logging). Provider calls retry by the standard resilience
    /// policy of the <c>model</c> HttpClient (<c>Agent:Model:Resilience</c> overrides it).
    /// </summary>
    public static IHostApplicationBuilder AddAgentModel(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<IValidateOptions<ModelOptions>, ModelOptionsValidator>();
        services.AddOptions<ModelOptions>().BindConfiguration(ModelOptions.Section).ValidateOnStart();

        var resilience = builder.Configuration.GetSection($"{ModelOptions.Section}:Resilience");
        void ModelCallPolicy(HttpStandardResilienceOptions options)
        {
            // Model calls are slow: a minute per attempt, three minutes in all (the defaults suit quick APIs).
            options.AttemptTimeout.Timeout = TimeSpan.FromSeconds(60);
            options.TotalRequestTimeout.Timeout = TimeSpan.FromMinutes(3);
            options.CircuitBreaker.SamplingDuration = TimeSpan.FromMinutes(2);
            // The standard handler admits 1,000 calls at once and refuses the rest; a crowd of turns on a hosted
            // model (seconds each) reaches that, and the per-user cap in the API already keeps it fair.
            options.RateLimiter.DefaultRateLimiterOptions.PermitLimit = 10_000;
            resilience.Bind(options);
        }
        // Replaces the service defaults' handler (tuned for quick calls) with one tuned for model calls.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked experimental; it is the documented way to do this.
        services.AddHttpClient(HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .RemoveAllResilienceHandlers()
            .AddStandardResilienceHandler(ModelCallPolicy);
        // The warm-up's stand-in for the provider: the same client and policy (its own circuit), answered in memory.
        services.AddHttpClient(WarmUpHttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new WarmUpCompletions())
            .RemoveAllResilienceHandlers()
            .AddStandardResilienceHandler(ModelCallPolicy);
#pragma warning restore EXTEXP0001

        // The provider decides what to register, so a bad configuration must stop the service here, with the reason.
        var model = builder.Configuration.GetSection(ModelOptions.Section).Get<ModelOptions>() ?? new ModelOptions();
        if (new ModelOptionsValidator().Validate(null, model) is { Failed: true } invalid)
        {
            throw new OptionsValidationException(ModelOptions.Section, typeof(ModelOptions), invalid.Failures);
        }
        switch (model.EffectiveProvider)
        {
            case ModelOptions.OpenAI:
                services.AddKeyedSingleton(ServiceKey, (sp, _) =>
                    Pipeline(CreateOpenAIClient(sp).GetChatClient(model.Model).AsIChatClient(), sp, prebuiltTools: true));
                break;
            case ModelOptions.AzureOpenAI:
                services.AddKeyedSingleton(ServiceKey, (sp, _) =>
                    Pipeline(CreateAzureOpenAIClient(sp).GetChatClient(model.Deployment!).AsIChatClient(), sp, prebuiltTools: true));
                break;
            default:
                services.AddKeyedSingleton(ServiceKey, (sp, _) => LocalModel(sp));
                break;
        }

        services.AddSingleton(sp => Limited(sp.GetRequiredKeyedService<IChatClient>(ServiceKey)));
        // The warm-up's turns (a user only the services can mint tokens for) compile the provider's client path
        // without reaching the provider: an OpenAI client answered in memory (docs/benchmarks.md, "A person in the crowd").
        services.AddKeyedSingleton(WarmUpKey, (sp, _) => model.EffectiveProvider is ModelOptions.OpenAI or ModelOptions.AzureOpenAI
            ? Limited(Pipeline(WarmUpClient(sp).GetChatClient("warm-up").AsIChatClient(), sp, prebuiltTools: true))
            : sp.GetRequiredService<IChatClient>());
        return builder;
    }

    static IChatClient LocalModel(IServiceProvider services) => Pipeline(new LocalChatClient(), services, prebuiltTools: false);

    /// <summary>
    /// The pipeline Semantic Kernel's connectors build (kernel function invocation, OpenTelemetry, logging) around a
    /// model; an OpenAI-compatible one also gets its tools' definitions built once (<see cref="OpenAIToolDefinitions"/>).
    /// </summary>
    static IChatClient Pipeline(IChatClient model, IServiceProvider services, bool prebuiltTools)
    {
        var loggerFactory = services.GetRequiredService<ILoggerFactory>();
        var pipeline = model.AsBuilder()
            .UseKernelFunctionInvocation(loggerFactory)
            .UseOpenTelemetry(loggerFactory, TelemetrySourceName)
            .UseLogging(loggerFactory);
        if (prebuiltTools) pipeline.Use(provider => new OpenAIToolDefinitions(provider));
        return pipeline.Build(services);
    }

    static IChatClient Limited(IChatClient client)
    {
        // A model stuck in a tool loop must not run for ever (the connectors allow 128 rounds).
        if (client.GetService<FunctionInvokingChatClient>() is { } functions)
        {
            functions.MaximumIterationsPerRequest = 10;
            functions.MaximumConsecutiveErrorsPerRequest = 3;
        }
        return client;
    }

    static OpenAIClient CreateOpenAIClient(IServiceProvider services)
    {
        var model = services.GetRequiredService<IOptions<ModelOptions>>().Value;
        var options = new OpenAIClientOptions { Transport = Transport(services), RetryPolicy = NoRetries };
        if (model.BaseUrl is not null) options.Endpoint = model.BaseUrl;
        // Local OpenAI-compatible servers (Ollama, LM Studio, vLLM) take any key.
        return new OpenAIClient(new ApiKeyCredential(string.IsNullOrWhiteSpace(model.ApiKey) ? "none" : model.ApiKey), options);
    }

    static OpenAIClient WarmUpClient(IServiceProvider services) =>
        new(new ApiKeyCredential("warm-up"), new OpenAIClientOptions
        {
            Endpoint = new Uri("http://warm-up.invalid/v1"),
            Transport = new HttpClientPipelineTransport(services.GetRequiredService<IHttpClientFactory>().CreateClient(WarmUpHttpClientName)),
            RetryPolicy = NoRetries,
        });

    static AzureOpenAIClient CreateAzureOpenAIClient(IServiceProvider services)
    {
        var model = services.GetRequiredService<IOptions<ModelOptions>>().Value;
        return new AzureOpenAIClient(model.Endpoint!, new ApiKeyCredential(model.ApiKey!),
            new AzureOpenAIClientOptions { Transport = Transport(services), RetryPolicy = NoRetries });
    }

    // The HttpClient's resilience handler retries; the SDK's own retries would multiply the attempts.
    static ClientRetryPolicy NoRetries => new(maxRetries: 0);

    static HttpClientPipelineTransport Transport(IServiceProvider services) =>
        new(services.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName));
}
