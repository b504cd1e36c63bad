using ChatKit.ApiService.Agent;
using ChatKit.ApiService.Attachments;
using ChatKit.ApiService.Auth;
using ChatKit.ApiService.ChatKit;
using ChatKit.ApiService.Conversations;
using ChatKit.ApiService.Infrastructure;
using ChatKit.ApiService.Mcp;
using ChatKit.ApiService.Rest;
using ChatKit.ApiService.Tasks;
using ChatKit.ApiService.Turns;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddChatKitAuthentication();
builder.AddUserRateLimits();
builder.AddFrontEndCors();
builder.Services.AddSingleton(TimeProvider.System);
// The layers, bottom up (docs/architecture.md).
builder.AddConversationStore();
builder.AddAgentClient();
builder.AddAttachments();
builder.AddTurns();
builder.AddChatKitProtocol();
builder.AddTasksPassThrough();
builder.AddConversationsApi();
builder.AddDefaultOpenApi();
// One mapping from refusals to problem details (registered by AddServiceDefaults), for every endpoint; ChatKit streams
// that started send an error event instead.
builder.Services.AddExceptionHandler<ApiErrorHandler>();
// Before /health says ready, as a user of the warm-up's own (docs/benchmarks.md): the protocol's reads, the REST list,
// a new thread and a follow-up (on the agent's local model), and a full connection pool.
builder.AddWarmUp(
    [
        WarmUp.Send(() => new HttpRequestMessage(HttpMethod.Post, "/api/chatkit")
        {
            Content = new StringContent("""{"type":"threads.list","params":{"limit":20,"order":"desc"}}""", System.Text.Encoding.UTF8, "application/json"),
        }),
        WarmUp.Send(() => new HttpRequestMessage(HttpMethod.Get, "/api/chatkit/threads?limit=20")),
        WarmUp.Send(() => new HttpRequestMessage(HttpMethod.Get, "/api/tasks?limit=20")),
        ChatKitWarmUp.TurnsAsync,
    ],
    ConnectionWarmUp.FillPoolAsync);

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseCors();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.MapDefaultEndpoints();
app.MapDefaultOpenApi();
app.MapChatKitSessionApi();
app.MapDevTokenApi();
app.MapTasksApi();
app.MapMcpApi();
app.MapConversationsApi();
app.MapChatKitApi();

await app.MigrateDatabaseAsync<ConversationsDbContext>();
app.Run();

public partial class Program;
