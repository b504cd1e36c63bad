using Microsoft.Extensions.Options;

namespace ChatKit.ApiService.Attachments;

/// <summary>
/// Deletes attachments that were created but never sent within the upload window (bytes included), every
/// <see cref="AttachmentOptions.CleanupInterval"/>. Every replica runs it; the delete is one idempotent statement.
/// </summary>
public sealed class UnsentAttachmentCleanup(AttachmentService attachments, IOptions<AttachmentOptions> options,
    ILogger<UnsentAttachmentCleanup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CleanupInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var deleted = await attachments.DeleteUnsentAsync(stoppingToken);
                if (deleted > 0) logger.LogInformation("Deleted {Count} attachments that were never sent.", deleted);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Deleting unsent attachments failed; trying again in {Interval}.", options.Value.CleanupInterval);
            }
        }
    }
}
