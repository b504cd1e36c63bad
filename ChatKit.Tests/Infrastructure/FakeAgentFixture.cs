namespace ChatKit.Tests.Infrastructure;

/// <summary>
/// The whole app with the API's agent address pointed at a <see cref="FakeAgent"/> (short agent timeouts, small
/// attachment limits and quota, a cleanup of unsent attachments every second). Its own collection: one extra AppHost.
/// </summary>
public sealed class FakeAgentFixture : AppFixture
{
    public const int MaxAttachmentBytes = 4096;
    public const int MaxAttachmentsPerMessage = 2;

    public FakeAgent Agent { get; } = new();

    public const int AttachmentQuotaBytes = 3 * MaxAttachmentBytes;

    // Through the AppHost's ChatKit:* settings, as an operator would set them.
    protected override IEnumerable<string> Arguments =>
    [
        .. base.Arguments,
        $"--ChatKit:Agent:BaseAddress={Agent.Url}",
        "--ChatKit:Agent:ResponseTimeout=00:00:01.500",
        "--ChatKit:Agent:IdleTimeout=00:00:01.500",
        $"--ChatKit:Attachments:MaxBytes={MaxAttachmentBytes}",
        $"--ChatKit:Attachments:QuotaBytes={AttachmentQuotaBytes}",
        "--ChatKit:Attachments:CleanupInterval=00:00:01",
        $"--ChatKit:Attachments:MaxPerMessage={MaxAttachmentsPerMessage}",
    ];

    /// <summary>Whether the attachment's bytes are in the database (where every replica finds them).</summary>
    public async Task<bool> AttachmentStoredAsync(string attachmentId) =>
        await ScalarAsync<long>("SELECT count(*) FROM attachment_contents WHERE attachment_id = $1", attachmentId) == 1;

    /// <summary>Runs SQL on the conversations database (to age rows, count them).</summary>
    public async Task<T> ScalarAsync<T>(string sql, params object[] args)
    {
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(await ConnectionStringAsync("conversationsdb"));
        await using var command = dataSource.CreateCommand(sql);
        foreach (var arg in args) command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = arg });
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Agent.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class FakeAgentCollection : ICollectionFixture<FakeAgentFixture>
{
    public const string Name = "fake-agent";
}
