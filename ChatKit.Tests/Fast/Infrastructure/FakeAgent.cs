using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace ChatKit.Tests.Fast.Infrastructure;

/// <summary>
/// A stand-in for the agent's turn endpoint (docs/agent-turns.md) on an HttpListener at 127.0.0.1, where the API
/// service's <c>ChatKit:Agent:BaseAddress</c> points: it records every turn request and answers with a short NDJSON
/// stream that echoes the user's text. The whole-app suite's ChatKit.Tests/Infrastructure/FakeAgent.cs scripts slow,
/// failing and cut-off agents too.
/// </summary>
public sealed class FakeAgent : IDisposable
{
    readonly HttpListener listener = new();

    public FakeAgent()
    {
        Url = $"http://127.0.0.1:{FreePort()}";
        listener.Prefixes.Add(Url + "/");
        listener.Start();
        _ = AcceptAsync();
    }

    public string Url { get; }

    /// <summary>Turn requests as received: the JSON body and the Authorization header.</summary>
    public ConcurrentQueue<(JsonElement Body, string? Authorization)> Turns { get; } = new();

    /// <summary>What the fake answers to a message.</summary>
    public static string ReplyTo(string text) => $"Noted: {text}.";

    async Task AcceptAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    async Task AnswerAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            if (context.Request is not { HttpMethod: "POST", Url.AbsolutePath: "/internal/turns" })
            {
                response.StatusCode = 404;
                return;
            }
            using var body = await JsonDocument.ParseAsync(context.Request.InputStream);
            Turns.Enqueue((body.RootElement.Clone(), context.Request.Headers["Authorization"]));
            var reply = ReplyTo(body.RootElement.GetProperty("input").GetProperty("text").GetString()!);
            response.StatusCode = 200;
            response.ContentType = "application/x-ndjson";
            response.SendChunked = true;
            var words = reply.Split(' ');
            var lines = words.Select((w, i) => new { type = "text_delta", delta = i == 0 ? w : " " + w }).Cast<object>()
                .Append(new { type = "done", text = reply, usage = new { input_tokens = 1, output_tokens = words.Length } });
            foreach (var line in lines)
            {
                await response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(line) + "\n"));
                await response.OutputStream.FlushAsync();
            }
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
        {
            // The API went away mid-answer (a cancelled turn): nobody left to answer.
        }
        finally
        {
            try
            {
                response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
            }
        }
    }

    static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public void Dispose() => listener.Close();
}
