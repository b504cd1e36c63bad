using ChatKit.ApiService.ChatKit;
using ChatKit.ApiService.Conversations;
using ChatKit.ApiService.Turns;
using Microsoft.EntityFrameworkCore;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddChatKitAuthentication();
builder.AddNpgsqlDbContext<ConversationsDbContext>("conversationsdb",
    configureDbContextOptions: options => options.UseSnakeCaseNamingConvention());
builder.Services.AddSingleton(TimeProvider.System);
builder.AddConversationStore();
builder.AddTurns();
builder.AddChatKitProtocol();

var app = builder.Build();

app.UseExceptionHandler();
app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapConversationsApi();
app.MapChatKitApi();

await app.MigrateDatabaseAsync<ConversationsDbContext>();
app.Run();

public partial class Program;
