using ChatKit.ApiService.ChatKit.Attachments;
using Microsoft.AspNetCore.Diagnostics;

namespace ChatKit.ApiService.ChatKit;

public static class ChatKitExtensions
{
    /// <summary>The ChatKit protocol server, attachments (and their cleanup), and problem details for every refused request.</summary>
    public static IHostApplicationBuilder AddChatKitProtocol(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AttachmentOptions>().BindConfiguration(AttachmentOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<AttachmentService>();
        builder.Services.AddHostedService<UnsentAttachmentCleanup>();
        builder.Services.AddScoped<ChatKitServer>();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ApiErrorHandler>();
        return builder;
    }

    /// <summary>Turns an <see cref="ApiError"/> (or what maps to one) thrown anywhere into its problem details.</summary>
    sealed class ApiErrorHandler(IProblemDetailsService problems) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
        {
            if (ApiError.From(exception) is not { } error || http.Response.HasStarted) return false;
            http.Response.StatusCode = error.Status;
            error.AddHeaders(http.Response);
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails = { Status = error.Status, Detail = error.Message, Extensions = { ["code"] = error.Code } },
            });
        }
    }
}
