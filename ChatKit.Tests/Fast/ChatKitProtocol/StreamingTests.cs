using System.Text.Json;
using ChatKit.Tests.Fast.Infrastructure;
using ChatKit.Tests.Infrastructure;
using static ChatKit.Tests.Infrastructure.ChatKitCalls;

namespace ChatKit.Tests.Fast.ChatKitProtocol;

/// <summary>
/// The streaming operations replayed against a scripted agent: event order and JSON shapes as in
/// docs/chatkit-protocol.md a4/a6/a7, events sent before the agent answers, and titles.
/// </summary>
public sealed class StreamingTests : IClassFixture<ApiApp>
{
    readonly ApiApp fixture;

    public StreamingTests(ApiApp fixture)
    {
        this.fixture = fixture;
        fixture.Agent.Reset();
    }

    FakeAgent Agent => fixture.Agent;

    [Fact]
    public async Task ThreadsCreateStreamsTheReferenceEventOrderAndShapes()
    {
        using var http = fixture.CreateClientFor(NewUser("create"));
        var events = await http.ChatKitStreamAsync("threads.create", new { input = Input("Plan my week please") });

        Assert.Equal(
        [
            "thread.created", "thread.item.done", "stream_options",
            "thread.item.added", "thread.item.updated:added", "thread.item.updated:text_delta", "thread.item.updated:done", "thread.item.done",
            "thread.updated",
        ], Collapsed(events));
        events.ForEach(Json.AssertNoNulls);

        var thread = events[0].GetProperty("thread");
        var threadId = thread.GetProperty("id").GetString()!;
        Assert.Matches("^thr_[0-9a-f]{24}$", threadId);
        Assert.False(thread.TryGetProperty("title", out _));
        Assert.Equal("""{"type":"active"}""", thread.GetProperty("status").GetRawText());
        Assert.Equal("{}", thread.GetProperty("metadata").GetRawText());
        Assert.Equal("""{"data":[],"has_more":false}""", thread.GetProperty("items").GetRawText());
        Json.AssertUtc(thread.GetProperty("created_at"));

        var user = events[1].GetProperty("item");
        Assert.Equal("user_message", user.Type());
        Assert.Matches("^msg_[0-9a-f]{24}$", user.GetProperty("id").GetString());
        Assert.Equal(threadId, user.GetProperty("thread_id").GetString());
        Assert.Equal("""[{"type":"input_text","text":"Plan my week please"}]""", user.GetProperty("content").GetRawText());
        Assert.Equal("[]", user.GetProperty("attachments").GetRawText());
        Assert.Equal("{}", user.GetProperty("inference_options").GetRawText());
        Assert.False(user.TryGetProperty("quoted_text", out _));
        Json.AssertUtc(user.GetProperty("created_at"));

        Assert.Equal("""{"type":"stream_options","stream_options":{"allow_cancel":true}}""", events[2].GetRawText());

        var added = events[3].GetProperty("item");
        Assert.Equal("assistant_message", added.Type());
        Assert.Equal("[]", added.GetProperty("content").GetRawText());
        var assistantId = added.GetProperty("id").GetString()!;
        var partAdded = events[4];
        Assert.Equal(assistantId, partAdded.GetProperty("item_id").GetString());
        Assert.Equal(0, partAdded.GetProperty("update").GetProperty("content_index").GetInt32());
        Assert.Equal("""{"type":"output_text","text":"","annotations":[]}""", partAdded.GetProperty("update").GetProperty("content").GetRawText());

        var deltas = events.Where(e => e.Type() == "thread.item.updated" && e.GetProperty("update").Type().EndsWith("text_delta"))
            .Select(e => e.GetProperty("update").GetProperty("delta").GetString());
        Assert.Equal("Hello there.", string.Concat(deltas));
        var partDone = events.Single(e => e.Type() == "thread.item.updated" && e.GetProperty("update").Type().EndsWith(".done"));
        Assert.Equal("Hello there.", partDone.GetProperty("update").GetProperty("content").GetProperty("text").GetString());

        var done = events[^2].GetProperty("item");
        Assert.Equal(assistantId, done.GetProperty("id").GetString());
        Assert.Equal("""[{"type":"output_text","text":"Hello there.","annotations":[]}]""", done.GetProperty("content").GetRawText());

        var updated = events[^1].GetProperty("thread");
        Assert.Equal(threadId, updated.GetProperty("id").GetString());
        Assert.Equal("Plan my week please", updated.GetProperty("title").GetString());

        var (turn, authorization) = Agent.Turns.Single();
        Assert.Equal(threadId, turn.GetProperty("thread_id").GetString());
        Assert.Equal("[]", turn.GetProperty("history").GetRawText());
        Assert.Equal("""{"text":"Plan my week please"}""", turn.GetProperty("input").GetRawText());
        Assert.StartsWith("Bearer ey", authorization);

        // Stored as streamed: get_by_id returns both items, oldest first, exactly as they were sent.
        var stored = await http.ChatKitJsonAsync("threads.get_by_id", new { thread_id = threadId });
        Assert.Equal("Plan my week please", stored.GetProperty("title").GetString());
        var items = stored.GetProperty("items").GetProperty("data");
        Assert.Equal(user.GetRawText(), items[0].GetRawText());
        Assert.Equal(done.GetRawText(), items[1].GetRawText());
    }

    [Fact]
    public async Task EventsReadyBeforeTheAgentAnswersReachTheClientWhileItIsStillThinking()
    {
        // Events are batched into one write while they are ready together; what is ready before the agent's first
        // event must still reach the client while the agent works, not when the turn ends.
        using var http = fixture.CreateClientFor(NewUser("early"));
        var release = new TaskCompletionSource();
        Agent.Script = async turn =>
        {
            await release.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await FakeAgent.DefaultScript(turn);
        };
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/chatkit")
            {
                Content = JsonContent.Create(new Dictionary<string, object> { ["type"] = "threads.create", ["params"] = new { input = Input("Think first") } }),
            };
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            await using var stream = await response.Content.ReadAsStreamAsync();
            var seen = new List<string>();
            await foreach (var e in ReadEventsLiveAsync(stream))
            {
                seen.Add(e.Type());
                if (e.Type() == "stream_options")
                {
                    Assert.False(release.Task.IsCompleted);
                    Assert.Equal(["thread.created", "thread.item.done", "stream_options"], seen);
                    release.TrySetResult();
                }
            }
            Assert.True(release.Task.IsCompleted, "the stream ended without its first events arriving early");
            Assert.Equal("thread.updated", seen[^1]);
        }
        finally
        {
            release.TrySetResult();
        }
    }

    [Fact]
    public async Task AddingAMessageToAnUntitledThreadTitlesIt()
    {
        using var http = fixture.CreateClientFor(NewUser("title"));
        using var created = await http.PostAsync("/api/chatkit/threads", null);
        var threadId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        var events = await http.ChatKitStreamAsync("threads.add_user_message", new
        {
            thread_id = threadId, input = Input("please   organise the garage and the attic before the weekend visit"),
        });
        var title = events[^1].GetProperty("thread").GetProperty("title").GetString();
        Assert.Equal("thread.updated", events[^1].Type());
        Assert.Equal("Please organise the garage and the attic before the weekend…", title);

        var renamed = await http.ChatKitJsonAsync("threads.update", new { thread_id = threadId, title = "Garage" });
        Assert.Equal("Garage", renamed.GetProperty("title").GetString());
        Assert.Equal("""{"data":[],"has_more":false}""", renamed.GetProperty("items").GetRawText());
        var again = await http.ChatKitStreamAsync("threads.add_user_message", new { thread_id = threadId, input = Input("and the shed") });
        Assert.DoesNotContain(again, e => e.Type() == "thread.updated");
    }
}
