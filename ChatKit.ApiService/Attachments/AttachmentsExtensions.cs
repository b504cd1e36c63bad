namespace ChatKit.ApiService.Attachments;

public static class AttachmentsExtensions
{
    /// <summary>Attachments (metadata and bytes in the conversation store) and the cleanup of those never sent.</summary>
    public static IHostApplicationBuilder AddAttachments(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AttachmentOptions>().BindConfiguration(AttachmentOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IAttachmentContents, PostgresAttachmentContents>();
        builder.Services.AddSingleton<AttachmentStore>();
        builder.Services.AddSingleton<AttachmentService>();
        builder.Services.AddHostedService<UnsentAttachmentCleanup>();
        return builder;
    }
}
