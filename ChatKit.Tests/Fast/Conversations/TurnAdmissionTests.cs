using System.Net.Http.Headers;
using System.Text.Json;
using ChatKit.Tests.Fast.Infrastructure;
using ChatKit.Tests.Infrastructure;
using static ChatKit.Tests.Infrastructure.ChatKitCalls;

namespace ChatKit.Tests.Fast.Conversations;

/// <summary>
/// How turns are admitted while others run: turns on one thread one after the other (a new thread's first turn
/// included), and at most four turns per user in flight, the next refused with 429 and Retry-After at once.
/// </summary>
public sealed class TurnAdmissionTests : IClassFixture<ApiApp>
{
    const int MaxTurnsPerUser = 4;
    readonly ApiApp fixture;

    public TurnAdmissionTests(ApiApp fixture)
    {
        this.fixture = fixture;
        fixture.Agent.Reset();
    }

    FakeAgent Agent => fixture.Agent;

    [Fact]
    public async Task AFollowUpSentWhileTheFirstTurnStillStreamsWaitsForItAndIsAnsweredAfterIt()
    {
        using var http = fixture.CreateClientFor(NewUser("follow-up"));
        var release = new TaskCompletionSource();
        Agent.Script = async turn =>
        {
            if (turn.InputText == "first")
            {
                await turn.SendAsync(new { type = "text_delta", delta = "First " });
                await turn.HoldAsync(release.Task);
            }
            await FakeAgent.DefaultScript(turn);
        };
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/chatkit")
            {
                Content = JsonContent.Create(new Dictionary<string, object> { ["type"] = "threads.create", ["params"] = new { input = Input("first") } }),
            };
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            await using var stream = await response.Content.ReadAsStreamAsync();
            var firstEvents = ReadEventsLiveAsync(stream).GetAsyncEnumerator();
            Assert.True(await firstEvents.MoveNextAsync());
            Assert.Equal("thread.created", firstEvents.Current.Type());
            var threadId = firstEvents.Current.GetProperty("thread").GetProperty("id").GetString()!;
            await Agent.LastTurnAsync(1);

            var followUp = http.ChatKitStreamAsync("threads.add_user_message", new { thread_id = threadId, input = Input("second") });
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.False(followUp.IsCompleted, "the follow-up was answered while the first turn was still running");
            Assert.Single(Agent.Turns);

            release.TrySetResult();
            while (await firstEvents.MoveNextAsync()) { }
            await firstEvents.DisposeAsync();
            var second = await followUp;
            Assert.Equal("Hello there.", second.AssistantText());

            // The follow-up's turn saw the whole first answer.
            var history = (await Agent.LastTurnAsync(2)).GetProperty("history").EnumerateArray().ToList();
            Assert.Contains(history, entry => entry.GetRawText().Contains("First Hello there."));
            var items = await http.ChatKitJsonAsync("items.list", new { thread_id = threadId, order = "asc" });
            Assert.Equal(["user_message", "assistant_message", "user_message", "assistant_message"],
                items.GetProperty("data").EnumerateArray().Select(i => i.GetProperty("type").GetString()));
        }
        finally
        {
            release.TrySetResult();
        }
    }

    [Fact]
    public async Task EveryWayATurnEndsLeavesItsThreadFree()
    {
        using var http = fixture.CreateClientFor(NewUser("free"));
        async Task<bool> FreeAsync(string threadId) =>
            await fixture.ScalarAsync<bool>("SELECT turn_lease IS NULL AND turn_lease_expires_at IS NULL FROM threads WHERE id = $1", threadId);

        var threadId = (await http.ChatKitStreamAsync("threads.create", new { input = Input("hello") })).ThreadId();
        Assert.True(await FreeAsync(threadId), "after a new thread's answer");
        await http.ChatKitStreamAsync("threads.add_user_message", new { thread_id = threadId, input = Input("again") });
        Assert.True(await FreeAsync(threadId), "after a follow-up's answer");

        Agent.Script = turn => turn.StatusAsync(500);
        var failed = await http.ChatKitStreamAsync("threads.add_user_message", new { thread_id = threadId, input = Input("fails") });
        Assert.Equal("error", failed[^1].Type());
        Assert.True(await FreeAsync(threadId), "after the agent failed");
    }

    [Fact]
    public async Task AUsersTurnBeyondTheCapIsRefusedAtOnceWhileOtherUsersAreServed()
    {
        // One API process counts her turns (the cap across two replicas: ScaleOutTests).
        using var alice = fixture.CreateClientFor(NewUser("busy-alice"));
        using var bob = fixture.CreateClientFor(NewUser("calm-bob"));
        var release = new TaskCompletionSource();
        Agent.HoldTurns(text => text.StartsWith("hold", StringComparison.Ordinal), release.Task);
        try
        {
            var held = Enumerable.Range(0, MaxTurnsPerUser)
                .Select(i => alice.ChatKitStreamAsync("threads.create", new { input = Input($"hold {i}") })).ToList();
            await Agent.LastTurnAsync(MaxTurnsPerUser);

            using var refused = await alice.ChatKitAsync("threads.create", new { input = Input("one more") });
            var problem = await refused.ProblemAsync(HttpStatusCode.TooManyRequests);
            Assert.Equal("too_many_turns", problem.GetProperty("code").GetString());
            Assert.Equal(TimeSpan.FromSeconds(5), refused.Headers.RetryAfter?.Delta);
            using var refusedRest = await alice.PostAsJsonAsync("/api/chatkit/messages", new { message = "and by REST" });
            Assert.Equal("too_many_turns", (await refusedRest.ProblemAsync(HttpStatusCode.TooManyRequests)).GetProperty("code").GetString());
            Assert.NotNull(refusedRest.Headers.RetryAfter);
            Assert.Equal(MaxTurnsPerUser, Agent.Turns.Count);

            // Someone else is not held up by Alice's turns.
            var bobs = await bob.ChatKitStreamAsync("threads.create", new { input = Input("quick") });
            Assert.Equal("Hello there.", bobs.AssistantText());

            release.TrySetResult();
            foreach (var turn in held) Assert.Equal("Hello there.", (await turn).AssistantText());
            var again = await alice.ChatKitStreamAsync("threads.create", new { input = Input("one more, later") });
            Assert.Equal("Hello there.", again.AssistantText());
        }
        finally
        {
            release.TrySetResult();
        }
    }
}
