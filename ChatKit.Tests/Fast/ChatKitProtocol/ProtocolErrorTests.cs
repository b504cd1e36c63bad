using System.Text.Json;
using ChatKit.Tests.Fast.Infrastructure;
using ChatKit.Tests.Infrastructure;
using static ChatKit.Tests.Infrastructure.ChatKitCalls;

namespace ChatKit.Tests.Fast.ChatKitProtocol;

/// <summary>Bad requests to POST /api/chatkit are 4xx with a JSON problem body, never a 500; foreign ids are 404.</summary>
public sealed class ProtocolErrorTests(ApiApp fixture) : IClassFixture<ApiApp>
{
    [Theory]
    [InlineData("{not json", "invalid_json")]
    [InlineData("[1, 2]", "invalid_request")]
    [InlineData("""{"params": {}}""", "invalid_request")]
    [InlineData("""{"type": 7, "params": {}}""", "invalid_request")]
    [InlineData("""{"type": "threads.explode", "params": {}}""", "unknown_type")]
    [InlineData("""{"type": "threads.list"}""", "invalid_params")]
    [InlineData("""{"type": "threads.list", "params": [1]}""", "invalid_params")]
    [InlineData("""{"type": "threads.list", "params": {"limit": "ten"}}""", "invalid_params")]
    [InlineData("""{"type": "threads.list", "params": {"limit": 0}}""", "invalid_params")]
    [InlineData("""{"type": "threads.list", "params": {"order": "sideways"}}""", "invalid_params")]
    [InlineData("""{"type": "threads.get_by_id", "params": {"thread_id": 5}}""", "invalid_params")]
    [InlineData("""{"type": "threads.get_by_id", "params": {}}""", "invalid_params")]
    [InlineData("""{"type": "threads.update", "params": {"thread_id": "thr_1"}}""", "invalid_params")]
    [InlineData("""{"type": "items.feedback", "params": {"thread_id": "thr_1", "item_ids": ["msg_1"], "kind": "meh"}}""", "invalid_params")]
    [InlineData("""{"type": "attachments.create", "params": {"name": "a.png", "mime_type": "image/png"}}""", "invalid_params")]
    [InlineData("""{"type": "threads.create", "params": {}}""", "invalid_params")]
    [InlineData("""{"type": "threads.create", "params": {"input": {"content": "hi"}}}""", "invalid_params")]
    [InlineData("""{"type": "threads.create", "params": {"input": {"content": [{"type": "input_video", "url": "x"}]}}}""", "invalid_params")]
    [InlineData("""{"type": "threads.create", "params": {"input": {"content": [{"type": "input_text", "text": "   "}], "attachments": []}}}""", "empty_message")]
    [InlineData("""{"type": "threads.custom_action", "params": {"thread_id": "thr_1", "action": {"payload": {}}}}""", "invalid_params")]
    // Nulls where the contract has a value (found by the fuzz drill, bench/drills): 400, not a NullReferenceException.
    [InlineData("""{"type": "threads.create", "params": {"input": null}}""", "invalid_params")]
    [InlineData("""{"type": "threads.create", "params": null, "metadata": {}}""", "invalid_params")]
    [InlineData("""{"type": "threads.create", "params": {"input": {"content": [{"type": "input_text", "text": "hi"}], "attachments": null, "inference_options": {}}}}""", "invalid_params")]
    [InlineData("""{"type": "threads.create", "params": {"input": {"content": [null], "attachments": [], "inference_options": {}}}}""", "invalid_params")]
    [InlineData("""{"type": "threads.create", "params": {"input": {"content": [{"type": "input_text", "text": "hi"}], "attachments": [null], "inference_options": {}}}}""", "invalid_params")]
    [InlineData("""{"type": "threads.add_user_message", "params": {"thread_id": "thr_1", "input": null}}""", "invalid_params")]
    public async Task BadRequestsAreAJsonProblemWithACode(string body, string code)
    {
        using var http = fixture.CreateClientFor(NewUser("bad"));
        using var response = await http.ChatKitRawAsync(body);
        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task AMessageWithoutAttachmentsOrInferenceOptionsIsAccepted()
    {
        using var http = fixture.CreateClientFor(NewUser("lenient"));
        using var response = await http.ChatKitRawAsync("""{"type": "threads.create", "params": {"input": {"content": [{"type": "input_text", "text": "hello"}]}}}""");
        var events = await ReadEventsAsync(response);
        var user = events.Single(e => e.GetProperty("type").GetString() == "thread.item.done"
                                      && e.GetProperty("item").GetProperty("type").GetString() == "user_message");
        Assert.Equal("[]", user.GetProperty("item").GetProperty("attachments").GetRawText());
        Assert.DoesNotContain(events, e => e.GetProperty("type").GetString() == "error");
    }

    [Fact]
    public async Task NulCharactersInAMessageOrASearchAreNotAServerError()
    {
        using var http = fixture.CreateClientFor(NewUser("nul"));
        var events = await http.ChatKitStreamAsync("threads.create", new { input = Input("add milk\0 and\0 bread") });
        Assert.DoesNotContain(events, e => e.GetProperty("type").GetString() == "error");
        var thread = await http.ChatKitJsonAsync("threads.get_by_id", new { thread_id = events.ThreadId() });
        Assert.Equal(2, thread.GetProperty("items").GetProperty("data").GetArrayLength());

        using var search = await http.GetAsync("/api/chatkit/entities/search?q=%00");
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        using var threads = await http.GetAsync("/api/chatkit/threads?q=%00milk");
        Assert.Equal(HttpStatusCode.OK, threads.StatusCode);
    }

    [Fact]
    public async Task AFirstMessageOfEmojiWithoutSpacesStartsAThreadWithATitleOfWholeEmoji()
    {
        // Cut by UTF-16 index, the title split a surrogate pair and PostgreSQL's UTF-8 encoder refused it (a 500).
        using var http = fixture.CreateClientFor(NewUser("emoji"));
        var events = await http.ChatKitStreamAsync("threads.create", new { input = Input(string.Concat(Enumerable.Repeat("🎉", 40))) });

        Assert.DoesNotContain(events, e => e.Type() == "error");
        var title = events.Last(e => e.Type() == "thread.updated").GetProperty("thread").GetProperty("title").GetString();
        Assert.Equal(string.Concat(Enumerable.Repeat("🎉", 29)) + "…", title);
        var thread = await http.ChatKitJsonAsync("threads.get_by_id", new { thread_id = events.ThreadId() });
        Assert.Equal(title, thread.GetProperty("title").GetString());
    }

    [Fact]
    public async Task AMessageOverTheSizeLimitIsABadRequest()
    {
        using var http = fixture.CreateClientFor(NewUser("long"));
        using var response = await http.ChatKitAsync("threads.create", new { input = Input(new string('x', 8001)) });
        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("message_too_long", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task AnOversizedBodyIsRefusedWith413()
    {
        using var http = fixture.CreateClientFor(NewUser("huge"));
        var blob = new string('x', 5 * 1024 * 1024);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/chatkit")
        {
            Content = new StringContent("{\"type\": \"threads.list\", \"params\": {}, \"metadata\": {\"blob\": \"" + blob + "\"}}",
                System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.ExpectContinue = true; // the server refuses on the declared length, before the body is sent
        using var response = await http.SendAsync(request);
        await response.ProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task TypeMayComeLastAndUnknownFieldsAreIgnored()
    {
        using var http = fixture.CreateClientFor(NewUser("lenient"));
        using var response = await http.ChatKitRawAsync(
            """{"params": {"limit": 5, "future_field": {"x": 1}}, "metadata": {"app": "tests"}, "extra": true, "type": "threads.list"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(0, page.GetProperty("data").GetArrayLength());
        Assert.False(page.GetProperty("has_more").GetBoolean());
        Assert.False(page.TryGetProperty("after", out _));
    }

    [Fact]
    public async Task RequestsWithoutATokenAreUnauthorized()
    {
        using var http = fixture.CreateClient();
        using var response = await http.ChatKitAsync("threads.list", new { });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task TranscriptionSaysThatNoSpeechProviderIsConfigured()
    {
        using var http = fixture.CreateClientFor(NewUser("dictation"));
        using var response = await http.ChatKitAsync("input.transcribe", new { audio_base64 = "AAAA", mime_type = "audio/webm" });
        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("transcription_unavailable", problem.GetProperty("code").GetString());
        Assert.Contains("speech", problem.GetProperty("detail").GetString());
    }

    public static TheoryData<string, string> OperationsOnAThread => new()
    {
        { "threads.get_by_id", """{"thread_id": "{id}"}""" },
        { "items.list", """{"thread_id": "{id}"}""" },
        { "threads.update", """{"thread_id": "{id}", "title": "mine now"}""" },
        { "threads.delete", """{"thread_id": "{id}"}""" },
        { "items.feedback", """{"thread_id": "{id}", "item_ids": ["msg_x"], "kind": "positive"}""" },
        { "threads.sync_custom_action", """{"thread_id": "{id}", "action": {"type": "complete_task", "payload": {"task_id": 1}}}""" },
        { "threads.add_user_message", """{"thread_id": "{id}", "input": {"content": [{"type": "input_text", "text": "hi"}], "attachments": [], "inference_options": {}}}""" },
        { "threads.retry_after_item", """{"thread_id": "{id}", "item_id": "msg_x"}""" },
        { "threads.custom_action", """{"thread_id": "{id}", "item_id": "msg_x", "action": {"type": "complete_task", "payload": {"task_id": 1}}}""" },
        { "threads.add_client_tool_output", """{"thread_id": "{id}", "result": {"ok": true}}""" },
        { "threads.add_structured_input", """{"thread_id": "{id}", "item_id": "msg_x", "input": {"status": "skipped", "answers": {}}}""" },
    };

    [Theory]
    [MemberData(nameof(OperationsOnAThread))]
    public async Task AnotherUsersThreadIsNotFoundForEveryOperation(string type, string parameters)
    {
        using var owner = fixture.CreateClientFor(NewUser("owner"));
        using var intruder = fixture.CreateClientFor(NewUser("intruder"));
        using var created = await owner.PostAsync("/api/chatkit/threads", JsonContent.Create(new { title = "Private plans" }));
        var threadId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        foreach (var id in new[] { threadId, "thr_000000000000000000000000" })
        {
            using var response = await intruder.ChatKitRawAsync($$"""{"type": "{{type}}", "params": {{parameters.Replace("{id}", id)}}}""");
            var problem = await response.ProblemAsync(HttpStatusCode.NotFound);
            Assert.Equal("not_found", problem.GetProperty("code").GetString());
            Assert.DoesNotContain("Private plans", problem.ToString());
        }

        // Not listed for anyone else either.
        Assert.Equal(0, (await intruder.ChatKitJsonAsync("threads.list", new { })).GetProperty("data").GetArrayLength());

        // Untouched for its owner.
        var thread = await owner.ChatKitJsonAsync("threads.get_by_id", new { thread_id = threadId });
        Assert.Equal("Private plans", thread.GetProperty("title").GetString());
    }
}
