namespace ChatKit.AppHost.Agent;

/// <summary>
/// Passes the agent's model settings from the AppHost's configuration (<c>Agent:Model:*</c>) as parameters: provider,
/// model, base URL, Azure endpoint and deployment as plain parameters, the API key as the secret parameter
/// <c>agent-model-api-key</c> (also read from <c>Parameters:agent-model-api-key</c>). Only configured settings are
/// passed: a secret parameter without a value would leave the agent waiting forever. Nothing configured = the local model.
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
        foreach (var (key, name) in Settings)
        {
            if (builder.Configuration[$"Agent:Model:{key}"] is { Length: > 0 } value)
            {
                agent.WithEnvironment($"Agent__Model__{key}", builder.AddParameter(name, value, publishValueAsDefault: true));
            }
        }
        if ((builder.Configuration["Parameters:agent-model-api-key"] ?? builder.Configuration["Agent:Model:ApiKey"]) is { Length: > 0 } apiKey)
        {
            agent.WithEnvironment("Agent__Model__ApiKey", builder.AddParameter("agent-model-api-key", apiKey, secret: true));
        }
        return agent;
    }
}
