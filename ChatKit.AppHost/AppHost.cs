using ChatKit.AppHost.Agent;
using ChatKit.AppHost.Auth;
using ChatKit.AppHost.Postgres;

var builder = DistributedApplication.CreateBuilder(args);

// PostgreSQL as a container, a local server process, or an external server (Postgres:Mode).
var databases = builder.AddChatKitDatabases();

var agent = builder.AddProject<Projects.ChatKit_Agent>("agent")
    .WithDatabase(databases.Tasks)
    .WithBetterAuth()
    .WithAgentModel()
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.ChatKit_ApiService>("apiservice")
    .WithExternalHttpEndpoints()
    .WithDatabase(databases.Conversations)
    .WithBetterAuth()
    .WithFrontEndOrigins()
    .WithReference(agent)
    .WaitFor(agent)
    .WithHttpHealthCheck("/health");

builder.Build().Run();
