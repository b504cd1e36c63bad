namespace ChatKit.AppHost.Auth;

/// <summary>Passes the AppHost's <c>Cors:Origins</c> (a list or a comma-separated string) to the API service.</summary>
public static class FrontEndOrigins
{
    public static IResourceBuilder<ProjectResource> WithFrontEndOrigins(this IResourceBuilder<ProjectResource> api)
    {
        var section = api.ApplicationBuilder.Configuration.GetSection("Cors:Origins");
        string[] origins = section.Value is { Length: > 0 } list
            ? [list]
            : [.. section.GetChildren().Select(child => child.Value).OfType<string>().Where(v => v.Length > 0)];
        return origins.Length == 0 ? api : api.WithEnvironment("Cors__Origins", string.Join(",", origins));
    }
}
