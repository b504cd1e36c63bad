using System.Text.Json;
using System.Text.Json.Nodes;
using ChatKit.Tests.Fast.Infrastructure;
using ChatKit.Tests.Infrastructure;
using Npgsql;
using static ChatKit.Tests.Infrastructure.ChatKitCalls;

namespace ChatKit.Tests.Fast.ChatKitProtocol;

/// <summary>
/// Every field a request asks to store has a limit, and so has each stored item as a whole: over one, the answer is a
/// 400 problem naming the field, and nothing is stored. What a turn reads back (history) and a page of items hold is
/// bounded in bytes as well as in count (ChatKit:Conversations defaults: docs/reliability.md).
/// </summary>
public sealed class InputLimitTests : IClassFixture<ApiApp>
{
    const int MaxItemBytes = 256 * 1024;
    const int MaxBytesPerPage = 1024 * 1024;
    readonly ApiApp fixture;

    public InputLimitTests(ApiApp fixture)
    {
        this.fixture = fixture;
        fixture.Agent.Reset();
    }

    public static TheoryData<string, string> OverLimit => new()
    {
        { "params.input.quoted_text", """{"quoted_text": "{x:8001}"}""" },
        { "params.input.content[0].text", """{"content": [{"type": "input_text", "text": "hi{ :8000}"}]}""" },
        { "params.input.content[1].id", """{"content": [{"type": "input_text", "text": "hi "}, {"type": "input_tag", "id": "{x:257}", "text": "t"}]}""" },
        { "params.input.content[1].text", """{"content": [{"type": "input_text", "text": "hi "}, {"type": "input_tag", "id": "t", "text": "{x:257}"}]}""" },
        { "params.input.content[1].group", """{"content": [{"type": "input_text", "text": "hi "}, {"type": "input_tag", "id": "t", "text": "t", "group": "{x:257}"}]}""" },
        { "params.input.content[1].data", """{"content": [{"type": "input_text", "text": "hi "}, {"type": "input_tag", "id": "t", "text": "t", "data": {"pad": "{x:4100}"}}]}""" },
        { "params.input.content", """{"content": [{parts:51}]}""" },
        { "params.input.inference_options.model", """{"inference_options": {"model": "{x:201}"}}""" },
        { "params.input.inference_options.tool_choice.id", """{"inference_options": {"tool_choice": {"id": "{x:201}"}}}""" },
    };

    [Theory]
    [MemberData(nameof(OverLimit))]
    public async Task AUserMessageFieldOverItsLimitIsABadRequestNamingTheField(string field, string change)
    {
        using var http = fixture.CreateClientFor(NewUser("limits"));
        var input = JsonNode.Parse("""{"content": [{"type": "input_text", "text": "hello"}], "attachments": [], "inference_options": {}}""")!.AsObject();
        foreach (var (key, value) in JsonNode.Parse(Expand(change))!.AsObject().ToList()) input[key] = value?.DeepClone();

        foreach (var type in new[] { "threads.create", "threads.add_user_message" })
        {
            var threadId = type == "threads.create" ? null : await NewThreadAsync(http);
            var parameters = new JsonObject { ["input"] = input.DeepClone() };
            if (threadId is not null) parameters["thread_id"] = threadId;
            using var response = await http.ChatKitRawAsync(new JsonObject { ["type"] = type, ["params"] = parameters }.ToJsonString());

            var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
            Assert.Equal("input_too_large", problem.GetProperty("code").GetString());
            Assert.Equal(field, problem.GetProperty("field").GetString());
            Assert.StartsWith(field + " ", problem.GetProperty("detail").GetString());
        }
        // Nothing was stored: only the thread made for add_user_message exists, with its one message.
        var threads = await http.ChatKitJsonAsync("threads.list", new { });
        var only = Assert.Single(threads.GetProperty("data").EnumerateArray());
        var items = await http.ChatKitJsonAsync("items.list", new { thread_id = only.GetProperty("id").GetString() });
        Assert.Equal(2, items.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task AMessageWhoseFieldsAreEachWithinTheirLimitsIsStillRefusedWhenTooLargeAsAWhole()
    {
        using var http = fixture.CreateClientFor(NewUser("item"));
        // 49 tags of 4 KB data with ids and groups of 250 control characters (6 bytes each in JSON): about 350 KB.
        var input = BigMessage("too big", tags: 49, padding: new string('\u0001', 250));

        using var response = await http.ChatKitAsync("threads.create", new { input });

        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("item_too_large", problem.GetProperty("code").GetString());
        Assert.Equal("params.input", problem.GetProperty("field").GetString());
        Assert.Equal(0, (await http.ChatKitJsonAsync("threads.list", new { })).GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task AClientToolOutputOverItsLimitIsABadRequestNamingTheResult()
    {
        using var http = fixture.CreateClientFor(NewUser("tool-output"));
        var threadId = await NewThreadAsync(http);

        using var response = await http.ChatKitAsync("threads.add_client_tool_output",
            new { thread_id = threadId, result = new { selection = new string('x', 64 * 1024) } });

        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("input_too_large", problem.GetProperty("code").GetString());
        Assert.Equal("params.result", problem.GetProperty("field").GetString());
    }

    [Theory]
    [InlineData("params.input.answers.notes.values", 51, 10)]
    [InlineData("params.input.answers.notes.values[0]", 2, 2001)]
    public async Task StructuredInputAnswersOverTheirLimitsAreABadRequestNamingTheAnswer(string field, int values, int length)
    {
        var user = NewUser("answers");
        using var http = fixture.CreateClientFor(user);
        var threadId = await NewThreadAsync(http);
        var itemId = await fixture.InsertItemAsync(user, threadId, "structured_input",
            """{"type":"structured_input","id":"{id}","thread_id":"{thread}","created_at":"2026-01-01T00:00:00Z","status":"pending","inputs":[{"id":"notes","question":"Anything else?","type":"freeform"}]}""");

        using var response = await http.ChatKitAsync("threads.add_structured_input", new
        {
            thread_id = threadId, item_id = itemId,
            input = new { status = "answered", answers = new Dictionary<string, object> { ["notes"] = new { values = Enumerable.Repeat(new string('v', length), values) } } },
        });

        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Contains("pending", await StoredAsync(itemId));
    }

    [Fact]
    public async Task HistoryAndPagesOfItemsAreBoundedInBytesAsWellAsInCount()
    {
        using var http = fixture.CreateClientFor(NewUser("bytes"));
        // Five messages of about 250 KB each (49 tags of 4 KB, a quote of 8,000 control characters at 6 bytes each in
        // JSON: each within every limit), each answered by the fake agent.
        var quote = new string('\u0001', 8000);
        var threadId = (await http.ChatKitStreamAsync("threads.create", new { input = BigMessage("big 1", tags: 49, quoted: quote) })).ThreadId();
        for (var i = 2; i <= 5; i++)
        {
            await http.ChatKitStreamAsync("threads.add_user_message",
                new { thread_id = threadId, input = BigMessage($"big {i}", tags: 49, quoted: quote) });
        }
        await http.ChatKitStreamAsync("threads.add_user_message", new { thread_id = threadId, input = Input("and now?") });

        // The last turn read back only the newest items that fit in 1 MiB: four of the big messages, not the first.
        var history = (await fixture.Agent.LastTurnAsync(6)).GetProperty("history").EnumerateArray()
            .Where(h => h.GetProperty("role").GetString() == "user").Select(h => h.GetProperty("content").GetString()!).ToList();
        Assert.DoesNotContain(history, text => text.StartsWith("big 1", StringComparison.Ordinal));
        Assert.Contains(history, text => text.StartsWith("big 2", StringComparison.Ordinal));

        // items.list: a page ends before it would pass 1 MiB, has_more says so, and the next page goes on from there.
        var seen = new List<string>();
        string? after = null;
        do
        {
            var page = await http.ChatKitJsonAsync("items.list", after is null
                ? new { thread_id = threadId, limit = 100, order = "asc" }
                : new { thread_id = threadId, limit = 100, order = "asc", after });
            var data = page.GetProperty("data").EnumerateArray().ToList();
            Assert.True(data.Sum(i => i.GetRawText().Length) <= MaxBytesPerPage + MaxItemBytes);
            Assert.True(data.Count == 1 || data.Sum(i => i.GetRawText().Length) <= MaxBytesPerPage, $"{data.Count} items");
            seen.AddRange(data.Select(i => i.GetProperty("id").GetString()!));
            after = page.GetProperty("has_more").GetBoolean() ? page.GetProperty("after").GetString() : null;
            if (after is not null) Assert.Equal(seen[^1], after);
        } while (after is not null);
        Assert.Equal(12, seen.Count);
        Assert.Equal(seen.Count, seen.Distinct().Count());

        var thread = await http.ChatKitJsonAsync("threads.get_by_id", new { thread_id = threadId });
        Assert.True(thread.GetProperty("items").GetProperty("has_more").GetBoolean());
        Assert.InRange(thread.GetProperty("items").GetProperty("data").GetArrayLength(), 1, 11);
    }

    /// <summary>A message of about 4 KB per tag (each tag's data just under its limit), more with padded ids and groups.</summary>
    static JsonObject BigMessage(string text, int tags, string? quoted = null, string padding = "")
    {
        var content = new JsonArray(new JsonObject { ["type"] = "input_text", ["text"] = text + " " });
        for (var i = 0; i < tags; i++)
        {
            var tag = new JsonObject
            {
                ["type"] = "input_tag", ["id"] = $"doc_{i}{padding}", ["text"] = $"doc {i}",
                ["data"] = new JsonObject { ["pad"] = new string('p', 4000) },
            };
            if (padding.Length > 0) tag["group"] = padding;
            content.Add(tag);
        }
        var input = new JsonObject { ["content"] = content, ["attachments"] = new JsonArray(), ["inference_options"] = new JsonObject() };
        if (quoted is not null) input["quoted_text"] = quoted;
        return input;
    }

    /// <summary>"{x:N}" becomes N x's, "{ :N}" N spaces, "{parts:N}" N text parts.</summary>
    static string Expand(string template) => System.Text.RegularExpressions.Regex.Replace(template, @"\{(x| |parts):(\d+)\}", m =>
    {
        var n = int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        return m.Groups[1].Value switch
        {
            "parts" => string.Join(", ", Enumerable.Repeat("""{"type": "input_text", "text": "p "}""", n)),
            var c => new string(c[0], n),
        };
    });

    static async Task<string> NewThreadAsync(HttpClient http) =>
        (await http.ChatKitStreamAsync("threads.create", new { input = Input("hello") })).ThreadId();

    async Task<string> StoredAsync(string itemId)
    {
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("conversationsdb"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT data::text FROM thread_items WHERE id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = itemId });
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
