using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using ChatKit.Tests.Infrastructure;

namespace ChatKit.Tests.Agent;

/// <summary>How the AppHost hands <c>Agent:Model:*</c> to the agent (the app model only; nothing is started).</summary>
public sealed class AgentModelSettingsTests
{
    [Fact]
    public async Task ModelSettingsReachTheAgentAsParametersAndTheKeyIsSecret()
    {
        var (appHost, environment) = await AgentEnvironmentAsync(
            "--Agent:Model:Provider=azure-openai", "--Agent:Model:Endpoint=https://example.openai.azure.com/",
            "--Agent:Model:Deployment=gpt-4o-mini", "--Agent:Model:ApiKey=key-from-user-secrets");
        await using var _ = appHost;

        Assert.Equal("azure-openai", environment["Agent__Model__Provider"]);
        Assert.Equal("https://example.openai.azure.com/", environment["Agent__Model__Endpoint"]);
        Assert.Equal("gpt-4o-mini", environment["Agent__Model__Deployment"]);
        Assert.Equal("key-from-user-secrets", environment["Agent__Model__ApiKey"]);
        var parameters = appHost.Resources.OfType<ParameterResource>().ToDictionary(p => p.Name);
        Assert.True(parameters["agent-model-api-key"].Secret);
        Assert.False(parameters["agent-model-provider"].Secret);
    }

    [Fact]
    public async Task WithoutSettingsTheAgentGetsNoModelParametersAndRunsTheLocalModel()
    {
        var (appHost, environment) = await AgentEnvironmentAsync();
        await using var _ = appHost;

        Assert.DoesNotContain(environment.Keys, key => key.StartsWith("Agent__Model__", StringComparison.Ordinal));
        Assert.DoesNotContain(appHost.Resources.OfType<ParameterResource>(), p => p.Name.StartsWith("agent-model", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--Agent:Model:Provider=azure-openai", "Agent:Model:Endpoint")]
    [InlineData("--Agent:Model:Provider=openai", "Agent:Model:ApiKey is required")]
    [InlineData("--Agent:Model:Provider=gemini", "Agent:Model:Provider must be local, openai or azure-openai")]
    public async Task AMisconfiguredModelStopsTheAgentAtStartWithTheReason(string setting, string reason)
    {
        var (exitCode, output) = await Repository.DotnetAsync(TimeSpan.FromMinutes(1),
            "run", "--project", Path.Combine(Repository.Root, "ChatKit.Agent", "ChatKit.Agent.csproj"), "--no-build", "--no-launch-profile", "--",
            setting, "--ConnectionStrings:tasksdb=Host=127.0.0.1;Database=tasksdb;Username=u;Password=p");

        Assert.NotEqual(0, exitCode);
        Assert.Contains(reason, output);
    }

    /// <summary>The agent's environment as the AppHost declares it (parameters resolved; nothing else, nothing started).</summary>
    static async Task<(IDistributedApplicationTestingBuilder AppHost, Dictionary<string, string> Environment)> AgentEnvironmentAsync(params string[] arguments)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.ChatKit_AppHost>(
            ["--Postgres:Mode=local", "--Postgres:Ephemeral=true", .. arguments], cts.Token);
        var agent = appHost.Resources.OfType<ProjectResource>().Single(p => p.Name == "agent");
        var context = new EnvironmentCallbackContext(appHost.ExecutionContext, agent, cancellationToken: cts.Token);
        foreach (var callback in agent.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }
        var environment = new Dictionary<string, string>();
        foreach (var (name, value) in context.EnvironmentVariables)
        {
            if (value is string text) environment[name] = text;
            else if (value is ParameterResource parameter) environment[name] = (await parameter.GetValueAsync(cts.Token))!;
        }
        return (appHost, environment);
    }
}
