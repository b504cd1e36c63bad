namespace ChatKit.Tests.Infrastructure;

/// <summary>
/// The whole app with the API's agent address pointed at a <see cref="FakeAgent"/> (short agent timeouts, small
/// attachment limits, attachments in a directory the tests can inspect). Its own collection: one extra AppHost.
/// </summary>
public sealed class FakeAgentFixture : AppFixture
{
    public const int MaxAttachmentBytes = 4096;
    public const int MaxAttachmentsPerMessage = 2;

    public FakeAgent Agent { get; } = new();

    public string AttachmentDirectory { get; } = Directory.CreateTempSubdirectory("chatkit-attachments-").FullName;

    // Through the AppHost's ChatKit:* settings, as an operator would set them.
    protected override IEnumerable<string> Arguments =>
    [
        .. base.Arguments,
        $"--ChatKit:Agent:BaseAddress={Agent.Url}",
        "--ChatKit:Agent:ResponseTimeout=00:00:01.500",
        "--ChatKit:Agent:IdleTimeout=00:00:01.500",
        $"--ChatKit:Attachments:Directory={AttachmentDirectory}",
        $"--ChatKit:Attachments:MaxBytes={MaxAttachmentBytes}",
        $"--ChatKit:Attachments:MaxPerMessage={MaxAttachmentsPerMessage}",
    ];

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Agent.Dispose();
        try
        {
            Directory.Delete(AttachmentDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class FakeAgentCollection : ICollectionFixture<FakeAgentFixture>
{
    public const string Name = "fake-agent";
}
