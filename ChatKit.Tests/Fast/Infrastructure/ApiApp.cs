extern alias ApiService;
using Npgsql;

namespace ChatKit.Tests.Fast.Infrastructure;

/// <summary>
/// The API service in process with its own conversations database, calling a scriptable <see cref="FakeAgent"/> for
/// turns, with the settings the scaled-out whole-app fixture (ScaleOutFixture) gives it too: short agent timeouts, small
/// attachment limits and quota, a cleanup of unsent attachments every second, a short turn lease.
/// </summary>
public class ApiApp : ServiceApp<ApiService::Program>
{
    readonly Func<Uri>? realAgent;

    public ApiApp() : this(null)
    {
    }

    /// <summary>An API whose fake agent answers with <paramref name="agentScript"/> unless a test says otherwise.</summary>
    protected ApiApp(Func<FakeTurn, Task>? agentScript) : base("conversationsdb") => Agent = new(agentScript);

    /// <summary>
    /// An API calling the real agent at <paramref name="agentAddress"/> with the API's default limits and the whole-app
    /// fixture's response timeout (<see cref="ServicesApp"/>); <see cref="Agent"/> is then not used.
    /// </summary>
    internal ApiApp(JwksServer jwks, Func<Uri> agentAddress) : base("conversationsdb", jwks)
    {
        Agent = new();
        realAgent = agentAddress;
    }

    protected override string Environment => realAgent is null ? base.Environment : "Development";

    public const int MaxAttachmentBytes = 4096;
    public const int MaxAttachmentsPerMessage = 2;
    public const int AttachmentQuotaBytes = 3 * MaxAttachmentBytes;
    public static readonly TimeSpan TurnLease = TimeSpan.FromSeconds(3);

    /// <summary>A front-end origin the API allows for CORS (besides ChatKit's frame).</summary>
    public const string FrontEndOrigin = "https://app.tests.local";

    public FakeAgent Agent { get; }

    protected override IEnumerable<KeyValuePair<string, string>> Settings() => realAgent is { } agentAddress
        ? [
            new("ConnectionStrings:conversationsdb", ConnectionString),
            new("Cors:Origins", FrontEndOrigin),
            new("ChatKit:Agent:BaseAddress", agentAddress().ToString()),
            new("ChatKit:Agent:ResponseTimeout", "00:00:10"),
        ]
        : [
        new("ConnectionStrings:conversationsdb", ConnectionString),
        new("Cors:Origins", FrontEndOrigin),
        new("ChatKit:Agent:BaseAddress", Agent.Url),
        new("ChatKit:Agent:ResponseTimeout", "00:00:01.500"),
        new("ChatKit:Agent:IdleTimeout", "00:00:01.500"),
        new("ChatKit:Attachments:MaxBytes", $"{MaxAttachmentBytes}"),
        new("ChatKit:Attachments:QuotaBytes", $"{AttachmentQuotaBytes}"),
        new("ChatKit:Attachments:CleanupInterval", "00:00:01"),
        new("ChatKit:Attachments:MaxPerMessage", $"{MaxAttachmentsPerMessage}"),
        new("ChatKit:Conversations:TurnLease", $"{TurnLease}"),
    ];

    /// <summary>A client with no token (the whole-app fixture's <c>CreateClient</c>).</summary>
    public HttpClient CreateClient(string resource) => resource == "apiservice"
        ? CreateAnonymousClient()
        : throw new ArgumentException("Only the API service runs here; the agent is a fake.", nameof(resource));

    /// <summary>A client signed in as the user (the whole-app fixture's <c>CreateClientFor</c>).</summary>
    public HttpClient CreateClientFor(string userId) => ClientFor(userId);

    /// <summary>The conversations database's connection string (the whole-app fixture's <c>ConnectionStringAsync</c>).</summary>
    public Task<string> ConnectionStringAsync(string database = "conversationsdb") => database == "conversationsdb"
        ? Task.FromResult(ConnectionString)
        : throw new ArgumentException($"No {database} here.", nameof(database));

    /// <summary>Whether the attachment's bytes are in the database.</summary>
    public async Task<bool> AttachmentStoredAsync(string attachmentId) =>
        await ScalarAsync<long>("SELECT count(*) FROM attachment_contents WHERE attachment_id = $1", attachmentId) == 1;

    /// <summary>Runs SQL on the conversations database (to age rows, count them).</summary>
    public async Task<T> ScalarAsync<T>(string sql, params object[] args) => (T)(await ExecuteAsync(sql, args))!;

    /// <summary>
    /// Stores an item of a kind the server does not make itself (a client tool call, a structured input) in the owner's
    /// thread; <c>{id}</c> and <c>{thread}</c> in <paramref name="json"/> become the item's and the thread's ids.
    /// </summary>
    public async Task<string> InsertItemAsync(string owner, string threadId, string type, string json)
    {
        var id = "msg_" + Guid.NewGuid().ToString("N")[..24];
        await ExecuteAsync("INSERT INTO thread_items (id, thread_id, owner_id, type, created_at, data) VALUES ($1, $2, $3, $4, now(), $5::json)",
            id, threadId, owner, type, json.Replace("{id}", id).Replace("{thread}", threadId));
        return id;
    }

    async Task<object?> ExecuteAsync(string sql, params object[] args)
    {
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        foreach (var arg in args) command.Parameters.Add(new NpgsqlParameter { Value = arg });
        return await command.ExecuteScalarAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Agent.Dispose();
    }
}

/// <summary>The API with a fake agent that echoes the user's text (<see cref="FakeAgent.ReplyTo"/>).</summary>
public sealed class EchoApiApp() : ApiApp(FakeAgent.EchoScript);
