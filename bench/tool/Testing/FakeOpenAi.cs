using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ChatKit.Bench.Testing;

/// <summary>
/// A fake OpenAI-compatible provider on loopback (POST /v1/chat/completions, streaming or not) whose behaviour the drills
/// switch: ok, slow (one chunk every SlowDelayMs), 429, 500, hang (never answers), paced (the crowd scenario: the first
/// text delta after FirstTokenMs, then Deltas-1 more, DeltaGapMs apart). It counts the requests it got, and in paced
/// mode records when it sent each request's first text delta, keyed by the text of the request's last user message.
/// </summary>
public sealed class FakeOpenAi : IAsyncDisposable
{
    public volatile string Mode = "ok";
    public int SlowDelayMs = 300;
    int requests;
    public int Requests => Volatile.Read(ref requests);
    public string BaseUrl { get; }
    public string Answer { get; set; } = "Sure, here is the answer from the fake provider, streamed in small pieces.";
    /// <summary>Paced mode: wait before the first text delta (the model's time to first token).</summary>
    public int FirstTokenMs = 2000;
    /// <summary>Paced mode: how many text deltas (the first included).</summary>
    public int Deltas = 10;
    /// <summary>Paced mode: the wait between two text deltas.</summary>
    public int DeltaGapMs = 100;
    readonly WebApplication app;
    readonly CancellationTokenSource hang = new();
    readonly System.Collections.Concurrent.ConcurrentDictionary<string, double> firstTokens = new();

    /// <summary>Paced mode: the text of the answer's i-th delta (the peers stream the same pieces).</summary>
    public static string PacedPiece(int i) => $"Piece {i + 1} of the answer. ";

    /// <summary>
    /// Paced mode: when the first text delta of the latest request whose last user message was <paramref name="key"/>
    /// was written and flushed (<see cref="Clock.NowMs"/>), or null.
    /// </summary>
    public double? FirstTokenAt(string key) => firstTokens.TryGetValue(key, out var t) ? t : null;
    public void ClearFirstTokens() => firstTokens.Clear();

    FakeOpenAi(WebApplication app, string baseUrl) { this.app = app; BaseUrl = baseUrl; }

    public void ResetCount() => Interlocked.Exchange(ref requests, 0);

    public static async Task<FakeOpenAi> StartAsync(int port = 0)
    {
        port = port == 0 ? Net.FreePort() : port;
        var b = WebApplication.CreateSlimBuilder();
        b.Logging.ClearProviders();
        b.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = b.Build();
        var fake = new FakeOpenAi(app, $"http://127.0.0.1:{port}/v1/");
        app.MapPost("/v1/chat/completions", fake.Handle);
        app.MapGet("/v1/models", () => Results.Json(new { data = new[] { new { id = "fake-model", @object = "model" } } }));
        await app.StartAsync();
        return fake;
    }

    async Task Handle(HttpContext ctx)
    {
        Interlocked.Increment(ref requests);
        var body = await JsonNode.ParseAsync(ctx.Request.Body);
        var stream = body?["stream"]?.GetValue<bool>() == true;
        var mode = Mode;
        switch (mode)
        {
            case "429":
                ctx.Response.StatusCode = 429;
                ctx.Response.Headers["retry-after-ms"] = "50";
                await ctx.Response.WriteAsJsonAsync(new { error = new { message = "Rate limit reached (fake)", type = "rate_limit_error", code = "rate_limit_exceeded" } });
                return;
            case "500":
                ctx.Response.StatusCode = 500;
                await ctx.Response.WriteAsJsonAsync(new { error = new { message = "The server had an error (fake)", type = "server_error" } });
                return;
            case "hang":
                try { await Task.Delay(Timeout.Infinite, CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, hang.Token).Token); }
                catch (OperationCanceledException) { }
                return;
        }
        var id = "chatcmpl-" + Guid.NewGuid().ToString("N")[..12];
        if (!stream)
        {
            await ctx.Response.WriteAsJsonAsync(new
            {
                id, @object = "chat.completion", created = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), model = "fake-model",
                choices = new[] { new { index = 0, message = new { role = "assistant", content = Answer }, finish_reason = "stop" } },
                usage = new { prompt_tokens = 10, completion_tokens = 10, total_tokens = 20 },
            });
            return;
        }
        ctx.Response.ContentType = "text/event-stream";
        async Task Send(object chunk)
        {
            await ctx.Response.WriteAsync("data: " + JsonSerializer.Serialize(chunk) + "\n\n", ctx.RequestAborted);
            await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
        }
        object Chunk(object delta, string? finish) => new
        {
            id, @object = "chat.completion.chunk", created = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), model = "fake-model",
            choices = new[] { new { index = 0, delta, finish_reason = finish } },
        };
        try
        {
            await Send(Chunk(new { role = "assistant", content = "" }, null));
            if (mode == "paced")
            {
                var key = LastUserText(body);
                await Task.Delay(FirstTokenMs, ctx.RequestAborted);
                for (var i = 0; i < Deltas; i++)
                {
                    if (i > 0) await Task.Delay(DeltaGapMs, ctx.RequestAborted);
                    await Send(Chunk(new { content = PacedPiece(i) }, null));
                    if (i == 0 && key is not null) firstTokens[key] = Clock.NowMs();
                }
                await Send(Chunk(new { }, "stop"));
                await ctx.Response.WriteAsync("data: [DONE]\n\n", ctx.RequestAborted);
                return;
            }
            foreach (var word in Answer.Split(' '))
            {
                if (Mode == "slow") await Task.Delay(SlowDelayMs, ctx.RequestAborted);
                await Send(Chunk(new { content = word + " " }, null));
            }
            await Send(Chunk(new { }, "stop"));
            await ctx.Response.WriteAsync("data: [DONE]\n\n", ctx.RequestAborted);
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>The text of the last user message (content as a string or as an array of text parts).</summary>
    static string? LastUserText(JsonNode? body)
    {
        if (body?["messages"] is not JsonArray messages) return null;
        for (var i = messages.Count - 1; i >= 0; i--)
        {
            if ((string?)messages[i]?["role"] != "user") continue;
            return messages[i]!["content"] switch
            {
                JsonValue v when v.TryGetValue<string>(out var text) => text.Trim(),
                JsonArray parts => string.Concat(parts.Select(p => (string?)p?["text"] ?? "")).Trim(),
                _ => null,
            };
        }
        return null;
    }


    public async ValueTask DisposeAsync()
    {
        hang.Cancel();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
