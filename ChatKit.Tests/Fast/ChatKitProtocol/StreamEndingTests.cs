using System.Text.Json;
using ChatKit.Tests.Fast.Infrastructure;
using ChatKit.Tests.Infrastructure;
using static ChatKit.Tests.Infrastructure.ChatKitCalls;

namespace ChatKit.Tests.Fast.ChatKitProtocol;

/// <summary>
/// How a stream ends other than with an answer: stopped by the client, an agent error, a retry; what is kept and stored.
/// </summary>
public sealed class StreamEndingTests : IClassFixture<ApiApp>
{
    readonly ApiApp fixture;

    public StreamEndingTests(ApiApp fixture)
    {
        this.fixture = fixture;
        fixture.Agent.Reset();
    }

    FakeAgent Agent => fixture.Agent;

    [Fact]
    public async Task StoppingTheStreamKeepsThePartialAnswerAndTellsTheModelNextTime()
    {
        using var http = fixture.CreateClientFor(NewUser("stop"));
        var created = await http.ChatKitStreamAsync("threads.create", new { input = Input("Tell me a long story") });
        var threadId = created.ThreadId();

        var release = new TaskCompletionSource();
        // A model that keeps talking until the API hangs up on it.
        Agent.Script = async turn =>
        {
            await turn.SendAsync(new { type = "text_delta", delta = "Once upon a time" });
            while (!release.Task.IsCompleted)
            {
                await Task.Delay(100);
                await turn.SendAsync(new { type = "text_delta", delta = "." });
            }
        };
        try
        {
            using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/chatkit"))
            {
                request.Content = JsonContent.Create(new Dictionary<string, object>
                {
                    ["type"] = "threads.add_user_message", ["params"] = new { thread_id = threadId, input = Input("Another one") },
                });
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                await using var stream = await response.Content.ReadAsStreamAsync();
                await foreach (var e in ReadEventsLiveAsync(stream))
                {
                    if (e.Type() == "thread.item.updated" && e.GetProperty("update").Type().EndsWith("text_delta")) break;
                }
            } // the Stop button: the request is aborted mid-answer

            var partial = await Eventually(async () =>
            {
                var items = await http.ChatKitJsonAsync("items.list", new { thread_id = threadId });
                var newest = items.GetProperty("data")[0];
                return newest.Type() == "assistant_message" ? newest : (JsonElement?)null;
            });
            Assert.StartsWith("Once upon a time", partial.GetProperty("content")[0].GetProperty("text").GetString());
        }
        finally
        {
            release.TrySetResult();
        }

        Agent.Script = FakeAgent.DefaultScript;
        await http.ChatKitStreamAsync("threads.add_user_message", new { thread_id = threadId, input = Input("Go on") });
        var history = (await Agent.LastTurnAsync(3)).GetProperty("history").EnumerateArray().ToList();
        Assert.Equal(["user", "assistant", "user", "assistant", "note"], history.Select(h => h.GetProperty("role").GetString()));
        Assert.Equal("Another one", history[2].GetProperty("content").GetString());
        Assert.StartsWith("Once upon a time", history[3].GetProperty("content").GetString());
        Assert.Equal("The user cancelled the stream. Stop responding to the prior request.", history[4].GetProperty("content").GetString());
    }

    [Fact]
    public async Task AnAgentErrorEndsTheStreamWithAnErrorEventKeepsTheMessageAndRetryAnswersIt()
    {
        using var http = fixture.CreateClientFor(NewUser("agent-error"));
        var created = await http.ChatKitStreamAsync("threads.create", new { input = Input("Hi") });
        var threadId = created.ThreadId();

        Agent.Script = async turn =>
        {
            await turn.SendAsync(new { type = "text_delta", delta = "Let me" });
            await turn.SendAsync(new { type = "error", code = "model_unavailable", message = "The model is down.", retryable = true });
        };
        var failed = await http.ChatKitStreamAsync("threads.add_user_message", new { thread_id = threadId, input = Input("Add eggs") });
        Assert.Equal(
            ["thread.item.done", "stream_options", "thread.item.added", "thread.item.updated:added", "thread.item.updated:text_delta", "error"],
            Collapsed(failed));
        Assert.Equal("""{"type":"error","code":"custom","message":"The model is down.","allow_retry":true}""", failed[^1].GetRawText());
        var userMessageId = failed[0].GetProperty("item").GetProperty("id").GetString()!;

        var kept = await http.ChatKitJsonAsync("items.list", new { thread_id = threadId });
        Assert.Equal(userMessageId, kept.GetProperty("data")[0].GetProperty("id").GetString());

        // The UI's retry button.
        Agent.Script = FakeAgent.DefaultScript;
        var retried = await http.ChatKitStreamAsync("threads.retry_after_item", new { thread_id = threadId, item_id = userMessageId });
        Assert.Equal(
        [
            "stream_options", "thread.item.added", "thread.item.updated:added", "thread.item.updated:text_delta",
            "thread.item.updated:done", "thread.item.done",
        ], Collapsed(retried));
        var turn = await Agent.LastTurnAsync(3);
        Assert.Equal("Add eggs", turn.GetProperty("input").GetProperty("text").GetString());
        Assert.Equal(2, turn.GetProperty("history").GetArrayLength());
        var items = await http.ChatKitJsonAsync("items.list", new { thread_id = threadId, order = "asc" });
        Assert.Equal(["user_message", "assistant_message", "user_message", "assistant_message"],
            items.GetProperty("data").EnumerateArray().Select(i => i.Type()));
    }

    [Fact]
    public async Task RetryAfterItemDropsEverythingAfterTheMessageSilently()
    {
        using var http = fixture.CreateClientFor(NewUser("retry"));
        var created = await http.ChatKitStreamAsync("threads.create", new { input = Input("First") });
        var threadId = created.ThreadId();
        var firstId = created[1].GetProperty("item").GetProperty("id").GetString();
        await http.ChatKitStreamAsync("threads.add_user_message", new { thread_id = threadId, input = Input("Second") });

        var retried = await http.ChatKitStreamAsync("threads.retry_after_item", new { thread_id = threadId, item_id = firstId });
        Assert.DoesNotContain(retried, e => e.Type() == "thread.item.removed");
        Assert.Equal("stream_options", retried[0].Type());
        var items = (await http.ChatKitJsonAsync("items.list", new { thread_id = threadId, order = "asc" })).GetProperty("data");
        Assert.Equal(2, items.GetArrayLength());
        Assert.Equal(firstId, items[0].GetProperty("id").GetString());
        Assert.Equal(retried[^1].GetProperty("item").GetProperty("id").GetString(), items[1].GetProperty("id").GetString());

        var assistantId = items[1].GetProperty("id").GetString();
        using var notUser = await http.ChatKitAsync("threads.retry_after_item", new { thread_id = threadId, item_id = assistantId });
        Assert.Equal("not_a_user_message", (await notUser.ProblemAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString());
        using var unknown = await http.ChatKitAsync("threads.retry_after_item", new { thread_id = threadId, item_id = "msg_000000000000000000000000" });
        await unknown.ProblemAsync(HttpStatusCode.NotFound);
    }

    static async Task<JsonElement> Eventually(Func<Task<JsonElement?>> probe)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            if (await probe() is { } found) return found;
            if (DateTime.UtcNow > deadline) Assert.Fail("the condition did not become true within 10 s");
            await Task.Delay(250); // gently: the ChatKit endpoint is rate-limited per user
        }
    }
}
