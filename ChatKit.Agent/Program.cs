using ChatKit.Agent.Tasks;
using Microsoft.EntityFrameworkCore;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddChatKitAuthentication();
builder.AddNpgsqlDbContext<TasksDbContext>("tasksdb",
    configureDbContextOptions: options => options.UseSnakeCaseNamingConvention());
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddScoped<TaskService>();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapTasksApi();

await app.MigrateDatabaseAsync<TasksDbContext>();
app.Run();

public partial class Program;
