using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatKit.Testing;

/// <summary>What the fake model answers to one chat completion request.</summary>
public abstract record FakeReply
{
    /// <summary>Streams tool calls (arguments split into fragments, as OpenAI does), then <c>finish_reason: tool_calls</c>.</summary>
    public static FakeReply Tools(params (string Name, object Arguments)[] calls) => new ToolCallsReply(calls);

    /// <summary>Streams the text in about <paramref name="chunks"/> pieces, then <c>finish_reason: stop</c>.</summary>
    public static FakeReply Text(string text, int chunks = 4) => new TextReply(text, chunks);

    /// <summary>An HTTP error with an OpenAI-style error body; with <paramref name="retryAfter"/>, OpenAI's <c>retry-after-ms</c> header.</summary>
    public static FakeReply Status(int status, TimeSpan? retryAfter = null) => new StatusReply(status, retryAfter);

    /// <summary>Answers only after <paramref name="delay"/> (longer than the agent's attempt timeout).</summary>
    public static FakeReply Hang(TimeSpan delay) => new HangReply(delay);

    /// <summary>
    /// A model that takes its time (the benchmark's crowd and drills): a role chunk at once, the first piece after
    /// <paramref name="firstToken"/>, each further piece <paramref name="gap"/> after the one before, then
    /// <c>finish_reason: stop</c>; no usage chunk.
    /// </summary>
    public static FakeReply Paced(TimeSpan firstToken, IReadOnlyList<string> pieces, TimeSpan gap) => new PacedReply(firstToken, pieces, gap);
}

sealed record ToolCallsReply((string Name, object Arguments)[] Calls) : FakeReply;
sealed record TextReply(string Content, int Chunks) : FakeReply;
sealed record StatusReply(int Code, TimeSpan? RetryAfter) : FakeReply;
sealed record HangReply(TimeSpan Delay) : FakeReply;
sealed record PacedReply(TimeSpan FirstToken, IReadOnlyList<string> Pieces, TimeSpan Gap) : FakeReply;

/// <summary>
/// An OpenAI-compatible chat completions server on 127.0.0.1 (HttpListener): answers streamed requests with SSE chunks
/// the real OpenAI connector parses, and records every request so tests can see what the agent sent.
/// </summary>
/// <param name="port">The loopback port; 0 (the default) takes a free one.</param>
public sealed class FakeOpenAIServer(int port = 0) : LoopbackHttpServer(port)
{
    public const int PromptTokens = 50;
    public const int CompletionTokens = 7;

    readonly ConcurrentQueue<FakeReply> scripted = new();

    public string BaseUrl => Url + "/v1/";

    /// <summary>Every request body received, in order, with its Authorization header.</summary>
    public ConcurrentQueue<(JsonObject Body, string? Authorization)> Requests { get; } = new();

    /// <summary>The answer to a request once the scripted replies are used up (by default: text after a tool result, else text).</summary>
    public Func<JsonObject, FakeReply> Respond { get; set; } = _ => FakeReply.Text("Hello from the fake model.");

    /// <summary>Replies used, in order, before <see cref="Respond"/> is asked.</summary>
    public void Script(params FakeReply[] replies)
    {
        foreach (var reply in replies) scripted.Enqueue(reply);
    }

    /// <summary>Forgets the recorded requests, the scripted replies and the responder.</summary>
    public void Reset(Func<JsonObject, FakeReply> respond)
    {
        Requests.Clear();
        scripted.Clear();
        Respond = respond;
    }

    /// <summary>
    /// Raised with the request body once the answer's first text piece has been written and flushed (the model's first
    /// token, as the benchmark times it).
    /// </summary>
    public event Action<JsonObject>? FirstTextSent;

    /// <summary>Whether the conversation sent to the model ends with tool results (so it should now answer in text).</summary>
    public static bool AfterToolResults(JsonObject body) => body["messages"]!.AsArray()[^1]!["role"]!.GetValue<string>() == "tool";

    protected override async Task HandleAsync(HttpListenerContext context)
    {
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var body = JsonNode.Parse(await reader.ReadToEndAsync())!.AsObject();
        Requests.Enqueue((body, context.Request.Headers["Authorization"]));
        var reply = scripted.TryDequeue(out var next) ? next : Respond(body);
        if (reply is HangReply hang)
        {
            await Task.Delay(hang.Delay);
            reply = FakeReply.Text("Too late.");
        }
        if (reply is StatusReply status)
        {
            if (status.RetryAfter is { } retryAfter)
            {
                context.Response.Headers["retry-after-ms"] = ((long)retryAfter.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            await WriteErrorAsync(context.Response, status.Code);
            return;
        }
        context.Response.ContentType = "text/event-stream";
        context.Response.SendChunked = true;
        var model = body["model"]?.GetValue<string>() ?? "fake-model";
        var textSent = false;
        foreach (var (wait, chunk) in Chunks(reply, model))
        {
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
            var bytes = Encoding.UTF8.GetBytes($"data: {chunk.ToJsonString()}\n\n");
            await context.Response.OutputStream.WriteAsync(bytes);
            await context.Response.OutputStream.FlushAsync();
            if (!textSent && IsText(chunk))
            {
                textSent = true;
                FirstTextSent?.Invoke(body);
            }
        }
        await context.Response.OutputStream.WriteAsync("data: [DONE]\n\n"u8.ToArray());
    }

    static bool IsText(JsonObject chunk) =>
        chunk["choices"] is JsonArray { Count: > 0 } choices && choices[0]?["delta"]?["content"]?.GetValue<string>() is { Length: > 0 };

    static IEnumerable<(TimeSpan Wait, JsonObject Chunk)> Chunks(FakeReply reply, string model) =>
        reply is PacedReply paced ? PacedChunks(paced, model) : ReplyChunks(reply, Chunker(model)).Select(c => (TimeSpan.Zero, c));

    static Func<JsonObject?, string?, JsonObject> Chunker(string model)
    {
        var id = $"chatcmpl-{Guid.NewGuid():N}";
        return (delta, finish) => new()
        {
            ["id"] = id, ["object"] = "chat.completion.chunk", ["created"] = 1_700_000_000, ["model"] = model,
            ["choices"] = delta is null ? new JsonArray() : new JsonArray(new JsonObject
            {
                ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish,
            }),
        };
    }

    static IEnumerable<(TimeSpan Wait, JsonObject Chunk)> PacedChunks(PacedReply reply, string model)
    {
        var chunk = Chunker(model);
        yield return (TimeSpan.Zero, chunk(new JsonObject { ["role"] = "assistant", ["content"] = "" }, null));
        for (var i = 0; i < reply.Pieces.Count; i++)
        {
            yield return (i == 0 ? reply.FirstToken : reply.Gap, chunk(new JsonObject { ["content"] = reply.Pieces[i] }, null));
        }
        yield return (TimeSpan.Zero, chunk(new JsonObject(), "stop"));
    }

    static IEnumerable<JsonObject> ReplyChunks(FakeReply reply, Func<JsonObject?, string?, JsonObject> chunk)
    {
        JsonObject Chunk(JsonObject? delta, string? finish = null) => chunk(delta, finish);

        yield return Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "" });
        switch (reply)
        {
            case ToolCallsReply tools:
                for (var i = 0; i < tools.Calls.Length; i++)
                {
                    var arguments = JsonSerializer.Serialize(tools.Calls[i].Arguments);
                    yield return Chunk(new JsonObject
                    {
                        ["tool_calls"] = new JsonArray(new JsonObject
                        {
                            ["index"] = i, ["id"] = $"call_fake_{Guid.NewGuid():N}"[..24], ["type"] = "function",
                            ["function"] = new JsonObject { ["name"] = tools.Calls[i].Name, ["arguments"] = "" },
                        }),
                    });
                    foreach (var fragment in Split(arguments, 3))
                    {
                        yield return Chunk(new JsonObject
                        {
                            ["tool_calls"] = new JsonArray(new JsonObject
                            {
                                ["index"] = i, ["function"] = new JsonObject { ["arguments"] = fragment },
                            }),
                        });
                    }
                }
                yield return Chunk(new JsonObject(), "tool_calls");
                break;
            case TextReply text:
                foreach (var piece in Split(text.Content, text.Chunks))
                {
                    yield return Chunk(new JsonObject { ["content"] = piece });
                }
                yield return Chunk(new JsonObject(), "stop");
                break;
        }
        var usage = Chunk(null);
        usage["usage"] = new JsonObject
        {
            ["prompt_tokens"] = PromptTokens, ["completion_tokens"] = CompletionTokens, ["total_tokens"] = PromptTokens + CompletionTokens,
        };
        yield return usage;
    }

    static IEnumerable<string> Split(string text, int pieces)
    {
        var size = Math.Max(1, (int)Math.Ceiling(text.Length / (double)pieces));
        for (var i = 0; i < text.Length; i += size) yield return text.Substring(i, Math.Min(size, text.Length - i));
    }

    static Task WriteErrorAsync(HttpListenerResponse response, int status) =>
        WriteJsonAsync(response, status, new { error = new { message = $"fake error {status}", type = "server_error", code = status.ToString() } });
}
