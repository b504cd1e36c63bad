using ChatKit.AppHost.Postgres;
using Microsoft.Extensions.Configuration;

namespace ChatKit.AppHost.Web;

/// <summary>
/// The Next.js front end (<c>ChatKit.Web</c>): Better Auth sign-in, the chat page and the tasks view. Run as an
/// executable under npm (Aspire's Node.js hosting packages are not available), published as a container built from
/// its Dockerfile. Configuration (section <c>Web</c>): <c>Enabled</c> (default: on when node and npm are on PATH,
/// always on when publishing), <c>DomainKey</c> (ChatKit's domainKey), <c>ChatUi</c> (<c>auto</c>, <c>chatkit</c>,
/// <c>builtin</c>), <c>AuthRateLimit</c> (<c>off</c> for browser tests), <c>TrustedProxyHops</c> (how many proxies in front
/// of it append to X-Forwarded-For: 1 when publishing, for Azure Container Apps' ingress; 0 when run locally); the secret
/// parameter <c>web-auth-secret</c> (BETTER_AUTH_SECRET: generated once, kept in user secrets; it must not change for a
/// database).
/// </summary>
public static class WebFrontEnd
{
    public const string ResourceName = "web";
    public const string SecretParameter = "web-auth-secret";
    const int ContainerPort = 3000;
    const string PublicEndpointName = "https";

    public static bool IsEnabled(IDistributedApplicationBuilder builder)
    {
        var configured = builder.Configuration["Web:Enabled"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return bool.TryParse(configured, out var enabled) ? enabled
                : throw new DistributedApplicationException($"Web:Enabled '{configured}' is neither true nor false.");
        }
        return builder.ExecutionContext.IsPublishMode || (FindOnPath("node") is not null && FindOnPath("npm") is not null);
    }

    /// <summary>Adds the web app; it reaches the API through service discovery and keeps its users in <paramref name="authDb"/>.</summary>
    public static IResourceBuilder<ExecutableResource> AddChatKitWeb(this IDistributedApplicationBuilder builder,
        IResourceBuilder<IResourceWithConnectionString> authDb, IResourceBuilder<ProjectResource> api)
    {
        var directory = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "ChatKit.Web"));
        var secret = builder.AddParameter(SecretParameter,
            new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true, persist: true);
        var configuration = builder.Configuration;

        // `npm run aspire` installs the packages on first run, builds when the sources changed, then execs `next start`.
        var web = builder.AddExecutable(ResourceName, "npm", directory, "run", "aspire")
            .WithHttpEndpoint(env: "PORT");
        if (builder.ExecutionContext.IsPublishMode)
        {
            // Container Apps' ingress serves the app on https (port 3000 behind it); that is the origin browsers use.
            web.WithHttpsEndpoint(targetPort: ContainerPort, name: PublicEndpointName);
        }
        web.WithExternalHttpEndpoints();

        web.WithEnvironment("NEXT_TELEMETRY_DISABLED", "1")
            .WithEnvironment("BETTER_AUTH_URL", PublicEndpoint(web)) // the exact origin the browser uses: iss and aud of its tokens
            .WithEnvironment("BETTER_AUTH_SECRET", secret)
            .WithEnvironment("CHATKIT_DOMAIN_KEY", configuration["Web:DomainKey"] is { Length: > 0 } key ? key : "domain_pk_localhost_dev")
            .WithEnvironment("CHATKIT_UI", configuration["Web:ChatUi"] ?? "auto")
            .WithEnvironment("AUTH_RATE_LIMIT", configuration["Web:AuthRateLimit"] ?? "on")
            .WithEnvironment("AUTH_TRUSTED_PROXY_HOPS", TrustedProxyHops(builder))
            .WithEnvironment("MCP_RESOURCE", McpResource(web))
            .WithDatabase(authDb)
            .WithReference(api)
            .WithHttpHealthCheck("/api/health")
            .WithUrlForEndpoint("http", url => url.DisplayText = "Web app")
            .WithUrlForEndpoint("http", e => new ResourceUrlAnnotation { Url = "/sign-in", DisplayText = "Sign in", Endpoint = e })
            .PublishAsDockerFile(container => container.WithEndpoint("http", e => e.TargetPort = ContainerPort));
        if (!builder.ExecutionContext.IsPublishMode)
        {
            // Traces to the dashboard, like the projects: OTEL_EXPORTER_OTLP_ENDPOINT/_PROTOCOL (its gRPC endpoint),
            // _HEADERS (its API key), OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES. The Node.js OpenTelemetry SDK reads
            // them (ChatKit.Web/instrumentation.node.ts) and is not loaded without an endpoint. Not in the manifest: as
            // for the services, a deployment traces when its environment sets OTEL_EXPORTER_OTLP_ENDPOINT.
            web.WithOtlpExporter();
        }
        if (configuration["Web:ScriptTimeoutMs"] is { Length: > 0 } timeout)
        {
            web.WithEnvironment("CHATKIT_SCRIPT_TIMEOUT_MS", timeout);
        }
        return web;
    }

    /// <summary>
    /// The web app's public URL: its http endpoint when run, its https endpoint (Container Apps' ingress) when published.
    /// </summary>
    public static EndpointReference PublicEndpoint(IResourceBuilder<ExecutableResource> web) =>
        web.GetEndpoint(web.ApplicationBuilder.ExecutionContext.IsPublishMode ? PublicEndpointName : "http");

    /// <summary>
    /// Where Better Auth finds the client's address (its rate limit): the entry of X-Forwarded-For this many proxies from
    /// the right. Published, the web app sits behind Azure Container Apps' ingress, which appends the address it saw (a
    /// client's own X-Forwarded-For stays to the left of it); run locally, nothing in front of it can be trusted.
    /// </summary>
    static string TrustedProxyHops(IDistributedApplicationBuilder builder)
    {
        var configured = builder.Configuration["Web:TrustedProxyHops"];
        if (string.IsNullOrWhiteSpace(configured)) return builder.ExecutionContext.IsPublishMode ? "1" : "0";
        return int.TryParse(configured, out var hops) && hops is >= 0 and <= 10 ? hops.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : throw new DistributedApplicationException($"Web:TrustedProxyHops '{configured}' is not a number from 0 to 10.");
    }

    /// <summary>
    /// Makes a service trust the web app's Better Auth tokens: JWKS at <c>/api/auth/jwks</c>, issuer and audience the
    /// web app's public URL. Values set in the AppHost's configuration (<c>Auth:BetterAuth:*</c>) win.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithBetterAuthFrom(this IResourceBuilder<ProjectResource> service,
        IResourceBuilder<ExecutableResource> web)
    {
        var configuration = service.ApplicationBuilder.Configuration;
        var endpoint = PublicEndpoint(web);
        if (string.IsNullOrEmpty(configuration["Auth:BetterAuth:JwksUrl"]))
            service.WithEnvironment("Auth__BetterAuth__JwksUrl", ReferenceExpression.Create($"{endpoint}/api/auth/jwks"));
        if (string.IsNullOrEmpty(configuration["Auth:BetterAuth:Issuer"]))
            service.WithEnvironment("Auth__BetterAuth__Issuer", endpoint);
        if (string.IsNullOrEmpty(configuration["Auth:BetterAuth:Audience"]))
            service.WithEnvironment("Auth__BetterAuth__Audience", endpoint);
        // The tasks' MCP server: clients connect to the web app's /mcp (passed through to the API), and Better Auth's
        // OAuth provider, whose issuer is its base URL plus /api/auth, issues its access tokens (docs/mcp.md).
        if (string.IsNullOrEmpty(configuration["Auth:Mcp:Resource"]))
            service.WithEnvironment("Auth__Mcp__Resource", McpResource(web));
        if (string.IsNullOrEmpty(configuration["Auth:Mcp:Issuer"]))
            service.WithEnvironment("Auth__Mcp__Issuer", ReferenceExpression.Create($"{endpoint}/api/auth"));
        return service;
    }

    /// <summary>The MCP resource identifier: <c>Auth:Mcp:Resource</c>, else the web app's public URL plus <c>/mcp</c>.</summary>
    public static ReferenceExpression McpResource(IResourceBuilder<ExecutableResource> web) =>
        web.ApplicationBuilder.Configuration["Auth:Mcp:Resource"] is { Length: > 0 } configured
            ? ReferenceExpression.Create($"{configured}")
            : ReferenceExpression.Create($"{PublicEndpoint(web)}/mcp");

    /// <summary>
    /// Puts the API behind the web app: ChatKit's attachment upload and preview URLs are handed out on the web app's
    /// origin, whose same-origin proxy forwards them (so the browser needs no CORS), unless
    /// <c>ChatKit:Attachments:PublicBaseUrl</c> is configured.
    /// </summary>
    public static IResourceBuilder<ProjectResource> BehindWebFrontEnd(this IResourceBuilder<ProjectResource> api,
        IResourceBuilder<ExecutableResource> web)
    {
        if (string.IsNullOrEmpty(api.ApplicationBuilder.Configuration["ChatKit:Attachments:PublicBaseUrl"]))
            api.WithEnvironment("ChatKit__Attachments__PublicBaseUrl", PublicEndpoint(web));
        return api;
    }

    static string? FindOnPath(string command)
    {
        string[] names = OperatingSystem.IsWindows() ? [command + ".exe", command + ".cmd"] : [command];
        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(dir => names.Select(name => Path.Combine(dir, name)))
            .FirstOrDefault(File.Exists);
    }
}
