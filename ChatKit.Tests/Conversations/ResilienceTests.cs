using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using ChatKit.Tests.Agent;
using ChatKit.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static ChatKit.Tests.Infrastructure.RestCalls;
using static ChatKit.Tests.Infrastructure.ChatKitCalls;

namespace ChatKit.Tests.Conversations;

/// <summary>Conversations when the agent goes away and when the services restart.</summary>
[Collection(AppCollection.Name)]
public sealed class ResilienceTests(AppFixture fixture)
{
    [Fact]
    public async Task WhileTheAgentIsStoppedMessagesFailWithAGatewayErrorAreKeptAndSendingAgainWorksOnceItIsBack()
    {
        using var http = fixture.CreateClientFor(NewUser("agent-down"));
        var threadId = await NewThreadAsync(http);
        await SendAsync(http, threadId, "add renew the passport");

        var commands = fixture.App.Services.GetRequiredService<ResourceCommandService>();
        using var cts = new CancellationTokenSource(AppFixture.StartTimeout);
        try
        {
            var stop = await commands.ExecuteCommandAsync("agent", KnownResourceCommands.StopCommand, cts.Token);
            Assert.True(stop.Success, stop.Message);
            await fixture.App.ResourceNotifications.WaitForResourceAsync("agent",
                e => e.Snapshot.State?.Text is "Exited" or "Finished" or "FailedToStart", cts.Token);

            // Behind the dev proxy a stopped agent is refused (503) or silent (504, after the test fixture's 10 s).
            using var rest = await http.PostAsJsonAsync("/api/chatkit/messages", new { thread_id = threadId, message = "add book the dentist" });
            var problem = await rest.ProblemAsync(rest.StatusCode == HttpStatusCode.GatewayTimeout ? HttpStatusCode.GatewayTimeout : HttpStatusCode.ServiceUnavailable);
            Assert.Contains(problem.GetProperty("code").GetString(), new[] { "agent_unavailable", "agent_timeout" });
            Assert.Equal(threadId, problem.GetProperty("thread_id").GetString());
            var keptId = problem.GetProperty("message_id").GetString();

            var thread = await http.GetFromJsonAsync<JsonElement>($"/api/chatkit/threads/{threadId}");
            var messages = thread.GetProperty("messages").EnumerateArray().ToList();
            Assert.Equal(["user", "assistant", "user"], messages.Select(m => m.GetProperty("role").GetString()));
            Assert.Equal(keptId, messages[2].GetProperty("id").GetString());
        }
        finally
        {
            await commands.ExecuteCommandAsync("agent", KnownResourceCommands.StartCommand, cts.Token);
            await fixture.App.ResourceNotifications.WaitForResourceHealthyAsync("agent", cts.Token);
        }

        var answer = await SendAsync(http, threadId, "add book the dentist");
        Assert.Contains("book the dentist", answer.GetProperty("response").GetString());
    }

    /// <summary>One restart of both services (each takes a while on the AppHost) for the conversations and the raw tasks.</summary>
    [Fact]
    public async Task ConversationsAndDataWrittenBeforeARestartOfTheServicesAreThereAfterIt()
    {
        var user = NewUser("restart");
        using var before = fixture.CreateClientFor(user);
        var created = await before.ChatKitStreamAsync("threads.create", new { input = Input("add read a book") });
        var threadId = created.ThreadId();
        var stored = await before.ChatKitJsonAsync("threads.get_by_id", new { thread_id = threadId });
        // A task row written straight into the agent's database, under an owner of its own.
        var tasks = new TaskStore(await fixture.ConnectionStringAsync("tasksdb"));
        var owner = TaskStore.NewUser();
        await tasks.SeedAsync(owner, "written before the restart");

        await fixture.RestartServicesAsync();

        Assert.Equal(["written before the restart"], await tasks.StateAsync(owner));
        using (var anonymous = fixture.CreateClient())
        {
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health")).StatusCode);
        }
        using var after = fixture.CreateClientFor(user);
        var reloaded = await after.ChatKitJsonAsync("threads.get_by_id", new { thread_id = threadId });
        Assert.Equal(stored.GetRawText(), reloaded.GetRawText());
        var thread = await after.GetFromJsonAsync<JsonElement>($"/api/chatkit/threads/{threadId}");
        Assert.Equal(2, thread.GetProperty("messages").GetArrayLength());
        var answer = await SendAsync(after, threadId, "show my tasks");
        Assert.Contains("read a book", answer.GetProperty("response").GetString());
    }
}
