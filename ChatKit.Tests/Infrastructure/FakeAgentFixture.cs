using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

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

    protected override void ConfigureService(IResourceBuilder<ProjectResource> service)
    {
        if (service.Resource.Name != "apiservice") return;
        service.WithEnvironment("ChatKit__Agent__BaseAddress", Agent.Url)
            .WithEnvironment("ChatKit__Agent__ResponseTimeout", "00:00:01.500")
            .WithEnvironment("ChatKit__Agent__IdleTimeout", "00:00:01.500")
            .WithEnvironment("ChatKit__Attachments__Directory", AttachmentDirectory)
            .WithEnvironment("ChatKit__Attachments__MaxBytes", MaxAttachmentBytes.ToString())
            .WithEnvironment("ChatKit__Attachments__MaxPerMessage", MaxAttachmentsPerMessage.ToString());
    }

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
