extern alias ApiService;

namespace ChatKit.Tests.Fast.Infrastructure;

/// <summary>The API service in process with its own conversations database, calling a <see cref="FakeAgent"/> for turns.</summary>
public sealed class ApiApp(PostgresServer postgres) : ServiceApp<ApiService::Program>(postgres, "conversationsdb")
{
    public FakeAgent Agent { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string>> Settings() =>
    [
        new("ConnectionStrings:conversationsdb", ConnectionString),
        new("ChatKit:Agent:BaseAddress", Agent.Url),
    ];

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Agent.Dispose();
    }
}
