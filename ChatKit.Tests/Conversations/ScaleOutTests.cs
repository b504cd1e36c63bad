using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using ChatKit.Tests.Infrastructure;
using static ChatKit.Tests.Infrastructure.ChatKitCalls;

namespace ChatKit.Tests.Conversations;

/// <summary>
/// Two API replicas share everything through PostgreSQL: attachment bytes, the order of turns on a thread, a turn's
/// lease, which runs out when the replica holding it dies so that the thread stays usable and fences the writes of a
/// turn that stalled past it, and one user's cap of turns in flight.
/// </summary>
[Collection(ScaleOutCollection.Name)]
public sealed class ScaleOutTests
{
    static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 9, 8, 7, 6, 5, 4, 3, 2];
    readonly ScaleOutFixture fixture;

    public ScaleOutTests(ScaleOutFixture fixture)
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
        Agent.HoldTurns(text => text == "first", release.Task);
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
        Agent.HoldTurns(text => text == "doomed", release.Task);
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
            Assert.InRange(resent.Elapsed, TimeSpan.FromSeconds(1), ScaleOutFixture.TurnLease + TimeSpan.FromSeconds(10));

            var items = await other.ChatKitJsonAsync("items.list", new { thread_id = threadId, order = "asc" });
            Assert.Equal(["hello", "Hello there.", "doomed", "again", "Hello there."], Texts(items));
        }
        finally
        {
            release.TrySetResult();
            await fixture.StartReplicaAgainAsync(One);
        }
    }

    [Fact]
    public async Task ATurnWhoseLeaseWasTakenWritesNothingMoreAndEndsWithAnError()
    {
        var user = NewUser("fenced");
        using var one = fixture.CreateReplicaClientFor(One, user);
        var threadId = (await one.ChatKitStreamAsync("threads.create", new { input = Input("hello") })).ThreadId();
        var release = new TaskCompletionSource();
        Agent.HoldTurns(text => text == "overtaken", release.Task);
        try
        {
            var stalled = one.ChatKitStreamAsync("threads.add_user_message", new { thread_id = threadId, input = Input("overtaken") });
            await Agent.LastTurnAsync(2);
            var seq = await fixture.ScalarAsync<long>("SELECT max(seq) FROM thread_items WHERE thread_id = $1", threadId);

            await TakeLeaseAsync(threadId);
            release.TrySetResult();

            var events = await stalled;
            var error = events.Single("error");
            Assert.Contains("stopped", error.GetProperty("message").GetString());
            Assert.False(error.GetProperty("allow_retry").GetBoolean());
            Assert.DoesNotContain(events, e => e.Type() == "thread.item.done" && e.GetProperty("item").GetProperty("type").GetString() == "assistant_message");
            // Nothing after the user message: no answer, no hidden note, and the other turn's lease is untouched.
            Assert.Equal(0L, await fixture.ScalarAsync<long>("SELECT count(*) FROM thread_items WHERE thread_id = $1 AND seq > $2", threadId, seq));
            Assert.Equal(1L, await fixture.ScalarAsync<long>(
                "SELECT count(*) FROM threads WHERE id = $1 AND turn_lease IS NOT NULL AND turn_lease_expires_at > now() + interval '30 seconds'", threadId));
        }
        finally
        {
            release.TrySetResult();
        }
    }

    [Fact]
    public async Task ARestMessageWhoseTurnLostItsLeaseIsRefusedWithAConflictAndItsAnswerIsNotSaved()
    {
        var user = NewUser("fenced-rest");
        using var one = fixture.CreateReplicaClientFor(One, user);
        var threadId = (await one.ChatKitStreamAsync("threads.create", new { input = Input("hello") })).ThreadId();
        var release = new TaskCompletionSource();
        Agent.HoldTurns(text => text == "overtaken by rest", release.Task);
        try
        {
            var sent = one.PostAsJsonAsync("/api/chatkit/messages", new { thread_id = threadId, message = "overtaken by rest" });
            await Agent.LastTurnAsync(2);
            await TakeLeaseAsync(threadId);
            release.TrySetResult();

            using var response = await sent;
            var problem = await response.ProblemAsync(HttpStatusCode.Conflict);
            Assert.Equal("turn_superseded", problem.GetProperty("code").GetString());
            var items = await one.ChatKitJsonAsync("items.list", new { thread_id = threadId, order = "asc" });
            Assert.Equal(["hello", "Hello there.", "overtaken by rest"], Texts(items));
        }
        finally
        {
            release.TrySetResult();
        }
    }

    [Fact]
    public async Task AReplicaFrozenPastItsLeaseCannotAnswerAfterTheTurnThatTookOver()
    {
        var user = NewUser("frozen");
        using var one = fixture.CreateReplicaClientFor(One, user);
        using var other = fixture.CreateReplicaClientFor(Other, user);
        var threadId = (await other.ChatKitStreamAsync("threads.create", new { input = Input("hello") })).ThreadId();
        var release = new TaskCompletionSource();
        Agent.HoldTurns(text => text == "stalled", release.Task);
        var frozen = false;
        try
        {
            var stalled = one.ChatKitStreamAsync("threads.add_user_message", new { thread_id = threadId, input = Input("stalled") });
            await Agent.LastTurnAsync(2);
            Signal(One.ProcessId, "STOP");
            frozen = true;
            await Task.Delay(ScaleOutFixture.TurnLease + TimeSpan.FromSeconds(1));

            // The lease ran out while the replica was frozen: the other replica takes the thread and answers.
            var tookOver = await other.ChatKitStreamAsync("threads.add_user_message", new { thread_id = threadId, input = Input("took over") });
            Assert.Equal("Hello there.", tookOver.AssistantText());
            Signal(One.ProcessId, "CONT");
            frozen = false;
            release.TrySetResult();

            // The resumed turn ends with an error (its lease is gone, or its agent call timed out while frozen) and saves nothing.
            var events = await stalled;
            Assert.Equal("error", events[^1].Type());
            var items = await other.ChatKitJsonAsync("items.list", new { thread_id = threadId, order = "asc" });
            Assert.Equal(["hello", "Hello there.", "stalled", "took over", "Hello there."], Texts(items));
        }
        finally
        {
            if (frozen) Signal(One.ProcessId, "CONT");
            release.TrySetResult();
        }
    }

    [Fact]
    public async Task AUsersCapOfTurnsInFlightHoldsAcrossBothReplicas()
    {
        const int MaxTurnsPerUser = 4;
        var user = NewUser("capped-everywhere");
        using var one = fixture.CreateReplicaClientFor(One, user);
        using var other = fixture.CreateReplicaClientFor(Other, user);
        var threadId = (await one.ChatKitStreamAsync("threads.create", new { input = Input("hello") })).ThreadId();
        var release = new TaskCompletionSource();
        Agent.HoldTurns(text => text.StartsWith("hold", StringComparison.Ordinal), release.Task);
        try
        {
            // Two turns on each replica: each replica alone is under the cap, the user together is at it.
            var held = Enumerable.Range(0, MaxTurnsPerUser)
                .Select(i => (i % 2 == 0 ? one : other).ChatKitStreamAsync("threads.create", new { input = Input($"hold {i}") })).ToList();
            await Agent.LastTurnAsync(MaxTurnsPerUser + 1);

            foreach (var client in new[] { one, other })
            {
                using var refused = await client.ChatKitAsync("threads.create", new { input = Input("one more") });
                Assert.Equal("too_many_turns", (await refused.ProblemAsync(HttpStatusCode.TooManyRequests)).GetProperty("code").GetString());
                Assert.Equal(TimeSpan.FromSeconds(5), refused.Headers.RetryAfter?.Delta);
                using var followUp = await client.ChatKitAsync("threads.add_user_message", new { thread_id = threadId, input = Input("and here") });
                Assert.Equal("too_many_turns", (await followUp.ProblemAsync(HttpStatusCode.TooManyRequests)).GetProperty("code").GetString());
            }
            Assert.Equal(MaxTurnsPerUser + 1, Agent.Turns.Count);

            release.TrySetResult();
            foreach (var turn in held) Assert.Equal("Hello there.", (await turn).AssistantText());
            var again = await other.ChatKitStreamAsync("threads.add_user_message", new { thread_id = threadId, input = Input("now") });
            Assert.Equal("Hello there.", again.AssistantText());
        }
        finally
        {
            release.TrySetResult();
        }
    }

    /// <summary>Another turn takes the thread for a minute, as one on the other replica does once a stalled turn's lease ran out.</summary>
    Task<int> TakeLeaseAsync(string threadId) => fixture.ScalarAsync<int>(
        "UPDATE threads SET turn_lease = gen_random_uuid(), turn_lease_expires_at = now() + interval '1 minute' WHERE id = $1 RETURNING 1", threadId);

    /// <summary>
    /// Freezes (STOP) or resumes (CONT) a replica, as a host pausing a container does: the process the AppHost started
    /// and every process under it (the service may run as a child of its launcher).
    /// </summary>
    static void Signal(int processId, string signal)
    {
        var tree = new List<int> { processId };
        for (var i = 0; i < tree.Count; i++)
        {
            foreach (var stat in Directory.EnumerateDirectories("/proc").Select(d => Path.Combine(d, "stat")).Where(File.Exists))
            {
                string text;
                try { text = File.ReadAllText(stat); } catch (IOException) { continue; }
                // pid (comm) state ppid …: comm may hold spaces, so read after its closing parenthesis.
                var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) == tree[i])
                    tree.Add(int.Parse(text[..text.IndexOf(' ')], System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        using var kill = Process.Start("kill", $"-{signal} {string.Join(' ', tree)}");
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    static List<string> Texts(JsonElement items) => items.GetProperty("data").EnumerateArray()
        .Where(i => i.GetProperty("type").GetString() is "user_message" or "assistant_message")
        .Select(i => string.Concat(i.GetProperty("content").EnumerateArray().Select(c => c.GetProperty("text").GetString())))
        .ToList();
}
