extern alias AgentService;

namespace ChatKit.Tests.Fast.Infrastructure;

/// <summary>The agent service in process with the built-in local model and its own tasks database.</summary>
public class AgentApp : ServiceApp<AgentService::Program>
{
    public AgentApp() : base("tasksdb")
    {
    }

    /// <summary>An agent that trusts the keys of <paramref name="jwks"/> (shared with the API of <see cref="ServicesApp"/>).</summary>
    internal AgentApp(JwksServer jwks) : base("tasksdb", jwks) => development = true;

    readonly bool development;

    protected override string Environment => development ? "Development" : base.Environment;

    protected override IEnumerable<KeyValuePair<string, string>> Settings() =>
    [
        new("ConnectionStrings:tasksdb", ConnectionString),
        new("Agent:Model:Provider", "local"),
    ];

    /// <summary>A client with no token (the whole-app fixture's <c>CreateClient("agent")</c>).</summary>
    public HttpClient CreateClient(string resource) => resource == "agent"
        ? CreateAnonymousClient()
        : throw new ArgumentException("Only the agent runs here.", nameof(resource));

    /// <summary>A client signed in as the user (the whole-app fixture's <c>CreateClientFor(user, "agent")</c>).</summary>
    public HttpClient CreateClientFor(string userId, string resource = "agent") => CreateClient(resource).As(userId);

    /// <summary>The tasks database's connection string (the whole-app fixture's <c>ConnectionStringAsync("tasksdb")</c>).</summary>
    public Task<string> ConnectionStringAsync(string database = "tasksdb") => database == "tasksdb"
        ? Task.FromResult(ConnectionString)
        : throw new ArgumentException($"No {database} here.", nameof(database));
}
