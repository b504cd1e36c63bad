using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using ChatKit.ServiceDefaults.Auth;
using Microsoft.Extensions.Options;

namespace ChatKit.ApiService.Auth;

/// <summary>Per-user limit on writes (configuration section <c>RateLimits:Writes</c>).</summary>
public sealed class WriteRateLimitOptions
{
    public const string SectionName = "RateLimits:Writes";

    /// <summary>Writes per user per window; generous, a person never gets near it.</summary>
    public int PermitLimit { get; set; } = 100;
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(10);
}

public static class UserRateLimits
{
    /// <summary>The policy for endpoints that change something: a fixed window per user (per IP when anonymous).</summary>
    public const string Writes = "writes";

    /// <summary>
    /// The policy for attachment uploads, which come without a user (capability URLs) and all through the web app's
    /// proxy, so from one address: a window per attachment, so that nobody's bogus uploads use up anyone else's.
    /// </summary>
    public const string Uploads = "uploads";

    /// <summary>Upload attempts per attachment per window: one succeeds, a few retries are fine.</summary>
    public const int UploadsPerAttachment = 10;

    public static TBuilder AddUserRateLimits<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<WriteRateLimitOptions>().BindConfiguration(WriteRateLimitOptions.SectionName)
            .Validate(o => o.PermitLimit > 0 && o.Window > TimeSpan.Zero, "RateLimits:Writes needs a positive PermitLimit and Window.")
            .ValidateOnStart();
        builder.Services.AddRateLimiter(options =>
        {
            // The body comes from UseStatusCodePages (problem details); the client learns when to come back.
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, _) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter =
                        Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }
                return ValueTask.CompletedTask;
            };
            options.AddPolicy(Writes, context =>
            {
                var limits = context.RequestServices.GetRequiredService<IOptions<WriteRateLimitOptions>>().Value;
                var subject = context.User.FindFirstValue(CurrentUser.SubjectClaim);
                // The service's own warm-up (a user only the service can mint a token for) sends more in its first
                // seconds than a person may.
                if (subject == WarmUp.UserId) return RateLimitPartition.GetNoLimiter("warm-up");
                var partition = subject is { } userId
                    ? "user:" + userId
                    : "ip:" + context.Connection.RemoteIpAddress;
                return RateLimitPartition.GetFixedWindowLimiter(partition, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limits.PermitLimit,
                    Window = limits.Window,
                    QueueLimit = 0,
                });
            });
            options.AddPolicy(Uploads, context =>
            {
                var limits = context.RequestServices.GetRequiredService<IOptions<WriteRateLimitOptions>>().Value;
                var attachmentId = context.GetRouteValue("attachmentId") as string ?? "";
                return RateLimitPartition.GetFixedWindowLimiter("attachment:" + attachmentId, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = UploadsPerAttachment,
                    Window = limits.Window,
                    QueueLimit = 0,
                });
            });
        });
        return builder;
    }
}
