using Microsoft.Extensions.Configuration;

namespace ChatKit.AppHost.Conversations;

/// <summary>
/// Passes the AppHost's <c>ChatKit:*</c> settings (conversation limits, agent timeouts, attachment storage and limits,
/// session lifetimes) to the API service as environment variables, so that they can be set where the app is started.
/// </summary>
public static class ChatKitSettings
{
    public const string SectionName = "ChatKit";

    public static IResourceBuilder<ProjectResource> WithChatKitSettings(this IResourceBuilder<ProjectResource> api)
    {
        foreach (var (key, value) in api.ApplicationBuilder.Configuration.GetSection(SectionName).AsEnumerable())
        {
            if (!string.IsNullOrEmpty(value)) api.WithEnvironment(key.Replace(":", "__"), value);
        }
        return api;
    }
}
