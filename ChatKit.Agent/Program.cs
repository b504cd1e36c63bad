using ChatKit.Agent.Mcp;
using ChatKit.Agent.Tasks;
using ChatKit.Agent.Turns;
using Microsoft.EntityFrameworkCore;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddChatKitAuthentication();
builder.AddNpgsqlDbContext<TasksDbContext>("tasksdb",
    settings => settings.ConnectionString = settings.ConnectionString is { } connectionString
        ? PostgresConnections.ForServices(connectionString)
        : null,
    options => options.UseSnakeCaseNamingConvention());
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddScoped<TaskService>();
builder.AddTodoAgent();
builder.AddDefaultOpenApi();
builder.AddTasksMcpServer();
// Before /health says ready: the task reads a turn's tools make, as a user of the warm-up's own (docs/benchmarks.md).
builder.AddWarmUp(
    services => WarmUp.WithToken(services, new HttpRequestMessage(HttpMethod.Get, "/api/tasks?limit=20")),
    services => WarmUp.WithToken(services, new HttpRequestMessage(HttpMethod.Get, "/api/tasks?q=milk&limit=20")));

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapDefaultOpenApi();
app.MapTasksApi();
app.MapTurnsApi();
app.MapTasksMcpServer();

await app.MigrateDatabaseAsync<TasksDbContext>();
app.Run();

public partial class Program;
