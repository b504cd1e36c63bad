using Microsoft.Extensions.Options;

namespace ChatKit.Agent.Models;

/// <summary>Which model the agent talks to (configuration section <c>Agent:Model</c>).</summary>
public sealed class ModelOptions
{
    public const string Section = "Agent:Model";
    public const string Local = "local";
    public const string OpenAI = "openai";
    public const string AzureOpenAI = "azure-openai";

    /// <summary><c>local</c>, <c>openai</c> or <c>azure-openai</c>; when empty, <c>local</c> unless an API key is configured.</summary>
    public string? Provider { get; set; }

    /// <summary>The OpenAI (or OpenAI-compatible server's) model name.</summary>
    public string Model { get; set; } = "gpt-4.1-mini";

    /// <summary>An OpenAI-compatible server instead of api.openai.com, e.g. <c>http://localhost:11434/v1</c> (Ollama).</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>The Azure OpenAI resource, e.g. <c>https://my-resource.openai.azure.com/</c>.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>The Azure OpenAI deployment name.</summary>
    public string? Deployment { get; set; }

    public string? ApiKey { get; set; }

    /// <summary>The provider in effect: the configured one, else <c>openai</c>/<c>azure-openai</c> when a key is set, else <c>local</c>.</summary>
    public string EffectiveProvider => Provider?.Trim().ToLowerInvariant() switch
    {
        null or "" when string.IsNullOrWhiteSpace(ApiKey) => Local,
        null or "" => Endpoint is null ? OpenAI : AzureOpenAI,
        var provider => provider,
    };

    /// <summary>A name for logs and metrics, never the key: <c>local</c>, <c>openai:gpt-4.1-mini</c>, <c>azure-openai:my-deployment</c>.</summary>
    public string Description => EffectiveProvider switch
    {
        OpenAI => $"{OpenAI}:{Model}",
        AzureOpenAI => $"{AzureOpenAI}:{Deployment}",
        var provider => provider,
    };
}

sealed class ModelOptionsValidator : IValidateOptions<ModelOptions>
{
    public ValidateOptionsResult Validate(string? name, ModelOptions options)
    {
        var failures = new List<string>();
        switch (options.EffectiveProvider)
        {
            case ModelOptions.Local:
                break;
            case ModelOptions.OpenAI:
                if (string.IsNullOrWhiteSpace(options.Model)) failures.Add("Agent:Model:Model is required for the openai provider.");
                if (string.IsNullOrWhiteSpace(options.ApiKey) && options.BaseUrl is null)
                {
                    failures.Add("Agent:Model:ApiKey is required for the openai provider (unless Agent:Model:BaseUrl names a local server).");
                }
                if (options.BaseUrl is { IsAbsoluteUri: false }) failures.Add("Agent:Model:BaseUrl must be an absolute URL.");
                break;
            case ModelOptions.AzureOpenAI:
                if (options.Endpoint is not { IsAbsoluteUri: true }) failures.Add("Agent:Model:Endpoint (an absolute URL) is required for the azure-openai provider.");
                if (string.IsNullOrWhiteSpace(options.Deployment)) failures.Add("Agent:Model:Deployment is required for the azure-openai provider.");
                if (string.IsNullOrWhiteSpace(options.ApiKey)) failures.Add("Agent:Model:ApiKey is required for the azure-openai provider.");
                break;
            default:
                failures.Add($"Agent:Model:Provider must be local, openai or azure-openai, not '{options.Provider}'.");
                break;
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
