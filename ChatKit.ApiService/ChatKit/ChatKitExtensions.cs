using ChatKit.ApiService.ChatKit.Protocol;
namespace ChatKit.ApiService.ChatKit;

public static class ChatKitExtensions
{
    /// <summary>The ChatKit protocol server behind <c>POST /api/chatkit</c>.</summary>
    public static IHostApplicationBuilder AddChatKitProtocol(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<ChatKitAnswers>();
        builder.Services.AddScoped<ChatKitServer>();
        return builder;
    }
}
