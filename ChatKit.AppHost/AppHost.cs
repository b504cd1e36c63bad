using Microsoft.Extensions.Configuration;
using ChatKit.AppHost.Agent;
using ChatKit.AppHost.Auth;
using ChatKit.AppHost.Conversations;
using ChatKit.AppHost.Postgres;
using ChatKit.AppHost.Web;

var builder = DistributedApplication.CreateBuilder(args);

// The web front end (Next.js + Better Auth) runs when Node.js is installed, unless Web:Enabled says otherwise.
var webEnabled = WebFrontEnd.IsEnabled(builder);

// PostgreSQL as a container, a local server process, or an external server (Postgres:Mode).
var databases = builder.AddChatKitDatabases(withAuth: webEnabled);

// Replicas:Agent and Replicas:Api run several processes of a service behind one endpoint (scale-out on one machine).
var replicas = builder.Configuration.GetSection("Replicas");

// Aspire 17 marks AddProject<T> obsolete in favour of AddDotnetProject (Aspire.Hosting.Dotnet), which starts each
// service with `dotnet run` as a different resource type; kept until that move is made (docs/aspire-17.md).
#pragma warning disable CS0618
var agent = builder.AddProject<Projects.ChatKit_Agent>("agent")
    .WithReplicas(replicas.GetValue("Agent", 1))
    .WithDatabase(databases.Tasks)
    .WithBetterAuth()
    .WithAgentModel()
    .WithHttpHealthCheck("/health");

var api = builder.AddProject<Projects.ChatKit_ApiService>("apiservice")
    .WithReplicas(replicas.GetValue("Api", 1))
    .WithExternalHttpEndpoints()
    .WithDatabase(databases.Conversations)
    .WithBetterAuth()
    .WithFrontEndOrigins()
    .WithChatKitSettings()
    .WithReference(agent)
    .WaitFor(agent)
    .WithHttpHealthCheck("/health");
#pragma warning restore CS0618

if (builder.ExecutionContext.IsPublishMode)
{
    // Deployed, both run as Production: no development token endpoint, JWKS only over https.
    agent.WithEnvironment("ASPNETCORE_ENVIRONMENT", "Production");
    api.WithEnvironment("ASPNETCORE_ENVIRONMENT", "Production");
}

if (webEnabled)
{
    var web = builder.AddChatKitWeb(databases.Auth!, api);
    // Both services verify the web app's Better Auth tokens (EdDSA, through its JWKS).
    api.WithBetterAuthFrom(web).BehindWebFrontEnd(web);
    agent.WithBetterAuthFrom(web);
}

builder.Build().Run();
