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

app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();

await app.MigrateDatabaseAsync<TasksDbContext>();
app.Run();

public partial class Program;
