using ChatKit.ApiService.Auth;
using ChatKit.ApiService.Conversations;
using ChatKit.ApiService.Tasks;
using Microsoft.EntityFrameworkCore;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddChatKitAuthentication();
builder.AddUserRateLimits();
builder.AddFrontEndCors();
builder.AddAgentTasksClient();
builder.AddNpgsqlDbContext<ConversationsDbContext>("conversationsdb",
    configureDbContextOptions: options => options.UseSnakeCaseNamingConvention());

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseCors();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.MapDefaultEndpoints();
app.MapChatKitSessionApi();
app.MapDevTokenApi();
app.MapTasksApi();

await app.MigrateDatabaseAsync<ConversationsDbContext>();
app.Run();

public partial class Program;
