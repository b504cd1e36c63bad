using Microsoft.Extensions.Configuration;

namespace ChatKit.AppHost.Agent;

/// <summary>
/// Passes the agent's model settings from the AppHost's configuration (<c>Agent:Model:*</c>) as parameters: provider,
/// model, base URL, Azure endpoint and deployment as plain parameters, the API key as the secret parameter
/// <c>agent-model-api-key</c> (also read from <c>Parameters:agent-model-api-key</c>). Only configured settings are
/// passed: a secret parameter without a value would leave the agent waiting forever. Nothing configured = the local model.
/// Published, the plain settings are plain values (azd writes a parameter's default into main.bicep as
/// <c>output AZURE_X string = agent-model-x</c>, which is not valid Bicep for a name with dashes), and a hosted provider
/// gets the secret parameter even without a value: azd asks for it.
/// </summary>
public static class AgentModelSettings
{
    static readonly (string Key, string Parameter)[] Settings =
    [
        ("Provider", "agent-model-provider"),
        ("Model", "agent-model-name"),
        ("BaseUrl", "agent-model-base-url"),
        ("Endpoint", "agent-model-endpoint"),
        ("Deployment", "agent-model-deployment"),
    ];

    public static IResourceBuilder<ProjectResource> WithAgentModel(this IResourceBuilder<ProjectResource> agent)
    {
        var builder = agent.ApplicationBuilder;
        var publishing = builder.ExecutionContext.IsPublishMode;
        foreach (var (key, name) in Settings)
        {
            if (builder.Configuration[$"Agent:Model:{key}"] is { Length: > 0 } value)
            {
                if (publishing) agent.WithEnvironment($"Agent__Model__{key}", value);
                else agent.WithEnvironment($"Agent__Model__{key}", builder.AddParameter(name, value));
            }
        }
        if ((builder.Configuration["Parameters:agent-model-api-key"] ?? builder.Configuration["Agent:Model:ApiKey"]) is { Length: > 0 } apiKey)
        {
            agent.WithEnvironment("Agent__Model__ApiKey", builder.AddParameter("agent-model-api-key", apiKey, secret: true));
        }
        else if (publishing && NeedsApiKey(builder.Configuration))
        {
            agent.WithEnvironment("Agent__Model__ApiKey", builder.AddParameter("agent-model-api-key", secret: true));
        }
        return agent;
    }

    /// <summary>A hosted provider needs a key: Azure OpenAI always, OpenAI unless a base URL names a local server.</summary>
    static bool NeedsApiKey(IConfiguration configuration) =>
        configuration["Agent:Model:Provider"]?.Trim().ToLowerInvariant() switch
        {
            "azure-openai" => true,
            "openai" => string.IsNullOrEmpty(configuration["Agent:Model:BaseUrl"]),
            _ => false,
        };
}
