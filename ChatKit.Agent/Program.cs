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
// Before /health says ready: the task reads a turn's tools make and a turn (on the local model), as a user of the
// warm-up's own (docs/benchmarks.md).
builder.AddWarmUp(
[
    WarmUp.Send(() => new HttpRequestMessage(HttpMethod.Get, "/api/tasks?limit=20")),
    WarmUp.Send(() => new HttpRequestMessage(HttpMethod.Get, "/api/tasks?q=milk&limit=20")),
    WarmUp.Send(() => new HttpRequestMessage(HttpMethod.Post, "/internal/turns")
    {
        Content = new StringContent("""{"thread_id":"thr_warmup","history":[{"role":"user","content":"Hello"},{"role":"assistant","content":"Hi!"}],"input":{"text":"What's on my list?"}}""",
            System.Text.Encoding.UTF8, "application/json"),
    }),
]);

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
