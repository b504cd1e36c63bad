extern alias AgentService;

namespace ChatKit.Tests.Fast.Infrastructure;

/// <summary>The agent service in process with the built-in local model and its own tasks database.</summary>
public class AgentApp() : ServiceApp<AgentService::Program>("tasksdb")
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings() =>
    [
        new("ConnectionStrings:tasksdb", ConnectionString),
        new("Agent:Model:Provider", "local"),
    ];

    /// <summary>The tasks database's connection string (to look at the stored rows).</summary>
    public string TasksConnectionString => ConnectionString;
}
