using System.Collections.Concurrent;
using ChatKit.Tests.Infrastructure;
using System.Text;

namespace ChatKit.Tests.Agent;

/// <summary>
/// An OTLP/HTTP endpoint on 127.0.0.1 that keeps what services export (protobuf bodies). Span, scope and metric names
/// are plain UTF-8 strings inside them, so tests can look for them without decoding.
/// </summary>
public sealed class OtlpReceiver : LoopbackHttpServer
{
    readonly ConcurrentQueue<(string Path, byte[] Body)> exports = new();

    /// <summary>Whether an export to the path (<c>/v1/traces</c>, <c>/v1/metrics</c>) contained the text.</summary>
    public bool Received(string path, string text) =>
        exports.Any(e => e.Path == path && Encoding.UTF8.GetString(e.Body).Contains(text, StringComparison.Ordinal));

    /// <summary>Waits until every text has been exported to the path, or the timeout passes; returns the missing ones.</summary>
    public async Task<IReadOnlyList<string>> MissingAsync(string path, TimeSpan timeout, params string[] texts)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var missing = texts.Where(t => !Received(path, t)).ToList();
            if (missing.Count == 0 || DateTime.UtcNow > deadline) return missing;
            await Task.Delay(200);
        }
    }

    protected override async Task HandleAsync(HttpListenerContext context)
    {
        using var body = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(body);
        exports.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/x-protobuf";
    }
}
