using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using ChatKit.Tests.Infrastructure;
using static ChatKit.Tests.Infrastructure.ChatKitCalls;

namespace ChatKit.Tests.Conversations;

/// <summary>
/// Two API replicas share everything through PostgreSQL: attachment bytes, the order of turns on a thread, and a
/// turn's lease, which runs out when the replica holding it dies so that the thread stays usable.
/// </summary>
[Collection(FakeAgentCollection.Name)]
public sealed class ScaleOutTests
{
    static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 9, 8, 7, 6, 5, 4, 3, 2];
    readonly FakeAgentFixture fixture;

    public ScaleOutTests(FakeAgentFixture fixture)
    {
        this.fixture = fixture;
        fixture.Agent.Reset();
    }

    FakeAgent Agent => fixture.Agent;
    ApiReplica One => fixture.Replicas[0];
    ApiReplica Other => fixture.Replicas[1];

    [Fact]
    public async Task TheAppRunsTwoApiReplicas()
    {
        Assert.Equal(2, fixture.Replicas.Count);
        Assert.NotEqual(One.Url, Other.Url);
        Assert.NotEqual(One.ProcessId, Other.ProcessId);
    }

    [Fact]
    public async Task AnAttachmentUploadedThroughOneReplicaIsPreviewedAndSentThroughTheOther()
    {
        var user = NewUser("two-replicas");
        using var one = fixture.CreateReplicaClientFor(One, user);
        using var other = fixture.CreateReplicaClientFor(Other, user);
        var created = await one.ChatKitJsonAsync("attachments.create", new { name = "cat.png", size = Png.Length, mime_type = "image/png" });
        var id = created.GetProperty("id").GetString()!;
        var upload = new Uri(created.GetProperty("upload_descriptor").GetProperty("url").GetString()!);
        Assert.Equal(One.Url.Port, upload.Port);
        using var file = new ByteArrayContent(Png);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        (await new HttpClient().PostAsync(upload, new MultipartFormDataContent { { file, "file", "cat.png" } })).EnsureSuccessStatusCode();

        var preview = new UriBuilder(created.GetProperty("preview_url").GetString()!) { Port = Other.Url.Port }.Uri;
        using var anonymous = new HttpClient();
        Assert.Equal(Png, await anonymous.GetByteArrayAsync(preview));
        var events = await other.ChatKitStreamAsync("threads.create", new { input = Input("what is this?", id) });
        Assert.Equal(id, events[1].GetProperty("item").GetProperty("attachments")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task TwoSendsToOneThreadThroughDifferentReplicasAreAnsweredInOrder()
    {
        var user = NewUser("ordered");
        using var one = fixture.CreateReplicaClientFor(One, user);
        using var other = fixture.CreateReplicaClientFor(Other, user);
        var threadId = (await one.ChatKitStreamAsync("threads.create", new { input = Input("hello") })).ThreadId();
        var release = new TaskCompletionSource();
        Agent.Script = async turn =>
        {
            if (turn.InputText == "first") await turn.HoldAsync(release.Task);
            await FakeAgent.DefaultScript(turn);
        };
        try
        {
            var first = one.ChatKitStreamAsync("threads.add_user_message", new { thread_id = threadId, input = Input("first") });
            await Agent.LastTurnAsync(2);
            var second = other.ChatKitStreamAsync("threads.add_user_message", new { thread_id = threadId, input = Input("second") });
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            Assert.Equal(2, Agent.Turns.Count);
            Assert.False(second.IsCompleted, "the second replica answered while the first still held the thread");

            release.TrySetResult();
            await first;
            await second;
            var items = await other.ChatKitJsonAsync("items.list", new { thread_id = threadId, order = "asc" });
            Assert.Equal(["hello", "Hello there.", "first", "Hello there.", "second", "Hello there."], Texts(items));
        }
        finally
        {
            release.TrySetResult();
        }
    }

    [Fact]
    public async Task AReplicaKilledMidTurnLeavesTheThreadUsableOnceItsLeaseRunsOut()
    {
        var user = NewUser("killed");
        using var one = fixture.CreateReplicaClientFor(One, user);
        using var other = fixture.CreateReplicaClientFor(Other, user);
        var threadId = (await other.ChatKitStreamAsync("threads.create", new { input = Input("hello") })).ThreadId();
        var release = new TaskCompletionSource();
        Agent.Script = async turn =>
        {
            if (turn.InputText == "doomed") await turn.HoldAsync(release.Task);
            await FakeAgent.DefaultScript(turn);
        };
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/chatkit")
            {
                Content = JsonContent.Create(new Dictionary<string, object>
                {
                    ["type"] = "threads.add_user_message", ["params"] = new { thread_id = threadId, input = Input("doomed") },
                }),
            };
            using var response = await one.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            await using var stream = await response.Content.ReadAsStreamAsync();
            var events = ReadEventsLiveAsync(stream).GetAsyncEnumerator();
            // The message is acknowledged (saved) before the replica dies.
            Assert.True(await events.MoveNextAsync());
            Assert.Equal("thread.item.done", events.Current.Type());
            await Agent.LastTurnAsync(2);

            Process.GetProcessById(One.ProcessId).Kill(entireProcessTree: true);
            var resent = Stopwatch.StartNew();
            var answer = await other.ChatKitStreamAsync("threads.add_user_message", new { thread_id = threadId, input = Input("again") });
            Assert.Equal("Hello there.", answer.AssistantText());
            // It waited for the dead replica's lease to run out (renewed every second, three seconds long), no longer.
            Assert.InRange(resent.Elapsed, TimeSpan.FromSeconds(1), FakeAgentFixture.TurnLease + TimeSpan.FromSeconds(10));

            var items = await other.ChatKitJsonAsync("items.list", new { thread_id = threadId, order = "asc" });
            Assert.Equal(["hello", "Hello there.", "doomed", "again", "Hello there."], Texts(items));
        }
        finally
        {
            release.TrySetResult();
            await fixture.StartReplicaAgainAsync(One);
        }
    }

    static List<string> Texts(JsonElement items) => items.GetProperty("data").EnumerateArray()
        .Where(i => i.GetProperty("type").GetString() is "user_message" or "assistant_message")
        .Select(i => string.Concat(i.GetProperty("content").EnumerateArray().Select(c => c.GetProperty("text").GetString())))
        .ToList();
}
