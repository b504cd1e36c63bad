extern alias AgentService;

namespace ChatKit.Tests.Fast.Infrastructure;

/// <summary>The agent service in process with the built-in local model and its own tasks database.</summary>
public sealed class AgentApp(PostgresServer postgres) : ServiceApp<AgentService::Program>(postgres, "tasksdb")
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings() =>
    [
        new("ConnectionStrings:tasksdb", ConnectionString),
        new("Agent:Model:Provider", "local"),
    ];
}
