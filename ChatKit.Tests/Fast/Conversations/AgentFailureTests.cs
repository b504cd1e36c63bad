using System.Text.Json;
using ChatKit.Tests.Fast.Infrastructure;
using ChatKit.Tests.Infrastructure;
using static ChatKit.Tests.Infrastructure.RestCalls;
using static ChatKit.Tests.Infrastructure.ChatKitCalls;

namespace ChatKit.Tests.Fast.Conversations;

/// <summary>
/// An agent that is down, slow, failing or cut off (a scripted stand-in with 1.5 s timeouts): 503/504 problem
/// details over REST, an error event in a stream; the user message is kept and sending again works.
/// </summary>
public sealed class AgentFailureTests : IClassFixture<ApiApp>
{
    readonly ApiApp fixture;

    public AgentFailureTests(ApiApp fixture)
    {
        this.fixture = fixture;
        fixture.Agent.Reset();
    }

    [Fact]
    public async Task ThePublicTasksApiReachesTheSameConfiguredAgentAsTheTurns()
    {
        using var http = fixture.CreateClientFor(NewUser("same-agent"));
        using var response = await http.PostAsync("/api/tasks/5/complete", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("task 5", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
    }

    public static TheoryData<string, HttpStatusCode, string> Failures => new()
    {
        { "down", HttpStatusCode.ServiceUnavailable, "agent_unavailable" },
        { "slow", HttpStatusCode.GatewayTimeout, "agent_timeout" },
        { "stalls", HttpStatusCode.GatewayTimeout, "agent_timeout" },
        { "500", HttpStatusCode.ServiceUnavailable, "agent_unavailable" },
        { "cut off", HttpStatusCode.ServiceUnavailable, "agent_unavailable" },
        { "garbage", HttpStatusCode.ServiceUnavailable, "agent_unavailable" },
        { "error event", HttpStatusCode.ServiceUnavailable, "model_unavailable" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task AFailingAgentIsAGatewayProblemTheMessageIsKeptAndResendingWorks(string failure, HttpStatusCode status, string code)
    {
        using var http = fixture.CreateClientFor(NewUser("failing"));
        var threadId = await NewThreadAsync(http);
        Arrange(failure);
        try
        {
            using var response = await http.PostAsJsonAsync("/api/chatkit/messages", new { thread_id = threadId, message = "add fix the bike" });
            var problem = await response.ProblemAsync(status);
            Assert.Equal(code, problem.GetProperty("code").GetString());
            Assert.Equal(threadId, problem.GetProperty("thread_id").GetString());
            Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));

            var thread = await http.GetFromJsonAsync<JsonElement>($"/api/chatkit/threads/{threadId}");
            var kept = Assert.Single(thread.GetProperty("messages").EnumerateArray());
            Assert.Equal(problem.GetProperty("message_id").GetString(), kept.GetProperty("id").GetString());
            Assert.Equal("add fix the bike", kept.GetProperty("content").GetString());
        }
        finally
        {
            fixture.Agent.Reset();
        }

        var answer = await SendAsync(http, threadId, "add fix the bike");
        Assert.Equal("Hello there.", answer.GetProperty("response").GetString());
    }

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task AFailingAgentEndsAStreamWithARetryableErrorEvent(string failure, HttpStatusCode status, string code)
    {
        _ = (status, code);
        using var http = fixture.CreateClientFor(NewUser("failing-stream"));
        Arrange(failure);
        try
        {
            var events = await http.ChatKitStreamAsync("threads.create", new { input = Input("add oil the chain") });
            var error = events.Single("error");
            Assert.Equal("custom", error.GetProperty("code").GetString());
            Assert.True(error.GetProperty("allow_retry").GetBoolean());
            Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
            Assert.DoesNotContain(events, e => e.Type() == "thread.item.done" && e.GetProperty("item").Type() == "assistant_message");
            // The stream still ends as the reference's does: the title follows the error.
            Assert.Equal(["error", "thread.updated"], Sequence(events).TakeLast(2));

            var items = await http.ChatKitJsonAsync("items.list", new { thread_id = events.ThreadId() });
            Assert.Equal("user_message", Assert.Single(items.GetProperty("data").EnumerateArray()).Type());
        }
        finally
        {
            fixture.Agent.Reset();
        }
    }

    [Fact]
    public async Task EntitySearchIsA503WhenTheAgentIsDown()
    {
        using var http = fixture.CreateClientFor(NewUser("search-down"));
        fixture.Agent.Stop();
        try
        {
            using var response = await http.GetAsync("/api/chatkit/entities/search?q=milk");
            Assert.Equal("agent_unavailable", (await response.ProblemAsync(HttpStatusCode.ServiceUnavailable)).GetProperty("code").GetString());
        }
        finally
        {
            fixture.Agent.Reset();
        }
    }

    void Arrange(string failure)
    {
        var agent = fixture.Agent;
        switch (failure)
        {
            case "down":
                agent.Stop();
                break;
            case "slow":
                agent.Script = _ => Task.Delay(TimeSpan.FromSeconds(4));
                break;
            case "stalls":
                agent.Script = async turn =>
                {
                    await turn.SendAsync(new { type = "text_delta", delta = "Hmm" });
                    await Task.Delay(TimeSpan.FromSeconds(4));
                };
                break;
            case "500":
                agent.Script = turn => turn.StatusAsync(500);
                break;
            case "cut off":
                agent.Script = async turn =>
                {
                    await turn.SendAsync(new { type = "text_delta", delta = "Half an ans" });
                    turn.Abort();
                };
                break;
            case "garbage":
                agent.Script = async turn =>
                {
                    await turn.SendAsync(new { type = "text_delta", delta = "fine" });
                    await turn.SendRawAsync("{this is not json\n");
                };
                break;
            case "error event":
                agent.Script = turn => turn.SendAsync(new { type = "error", code = "model_unavailable", message = "The model is down.", retryable = true });
                break;
        }
    }
}
