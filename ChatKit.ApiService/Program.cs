using ChatKit.ApiService.Conversations;
using Microsoft.EntityFrameworkCore;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddChatKitAuthentication();
builder.AddNpgsqlDbContext<ConversationsDbContext>("conversationsdb",
    configureDbContextOptions: options => options.UseSnakeCaseNamingConvention());

var app = builder.Build();

app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();

await app.MigrateDatabaseAsync<ConversationsDbContext>();
app.Run();

public partial class Program;
