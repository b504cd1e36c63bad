namespace ChatKit.ApiService.Auth;

/// <summary>
/// CORS for the configured front-end origins (<c>Cors:Origins</c>, a list or a comma-separated string) and ChatKit's
/// frame. Tokens travel in the Authorization header, never in cookies, so no credentials are allowed.
/// </summary>
public static class FrontEndCors
{
    public const string SectionName = "Cors:Origins";
    public const string ChatKitFrameOrigin = "https://cdn.platform.openai.com";

    public static TBuilder AddFrontEndCors<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        string[] origins = [.. ConfiguredOrigins(builder.Configuration.GetSection(SectionName)).Append(ChatKitFrameOrigin).Distinct()];
        builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy => policy
            .WithOrigins(origins)
            .WithMethods(HttpMethods.Get, HttpMethods.Post, HttpMethods.Patch, HttpMethods.Delete)
            .AllowAnyHeader()
            .WithExposedHeaders("Location", "Retry-After", "WWW-Authenticate")
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));
        return builder;
    }

    static IEnumerable<string> ConfiguredOrigins(IConfigurationSection section)
    {
        var values = section.Value is { } list
            ? list.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : section.GetChildren().Select(child => child.Value ?? "");
        foreach (var value in values.Where(v => v.Length > 0))
        {
            if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.PathAndQuery != "/")
            {
                throw new InvalidOperationException(
                    $"{SectionName} holds '{value}', which is not an origin like https://app.example.com (scheme, host, optional port).");
            }
            yield return uri.GetLeftPart(UriPartial.Authority);
        }
    }
}
