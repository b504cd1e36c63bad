using System.Collections.Concurrent;
using ChatKit.Tests.Infrastructure;
using System.Text;

namespace ChatKit.Tests.Agent;

/// <summary>
/// An OTLP/HTTP endpoint on 127.0.0.1 that keeps what services export (protobuf bodies). Span, scope and metric names
/// are plain UTF-8 strings inside them, so tests can look for them without decoding; <see cref="Spans"/> decodes the
/// exported traces when a test needs their ids and parents.
/// </summary>
public sealed class OtlpReceiver : LoopbackHttpServer
{
    // Each body with its text decoded once: a waiting test scans every export many times, and a class's exports (every
    // 500 ms, each holding all the metrics) add up.
    readonly ConcurrentQueue<(string Path, byte[] Body, string Text)> exports = new();
    readonly ConcurrentDictionary<string, DateTime> lastExport = new();

    /// <summary>How many exports reached the path and when the last did: what a failed wait should say.</summary>
    public string Describe(string path) =>
        $"{exports.Count(e => e.Path == path)} exports to {path}, the last at " +
        (lastExport.TryGetValue(path, out var last) ? $"{last:HH:mm:ss.fff} UTC" : "never") + $" (now {DateTime.UtcNow:HH:mm:ss.fff} UTC)";

    /// <summary>Whether an export to the path (<c>/v1/traces</c>, <c>/v1/metrics</c>) contained the text.</summary>
    public bool Received(string path, string text) =>
        exports.Any(e => e.Path == path && e.Text.Contains(text, StringComparison.Ordinal));

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

    /// <summary>Every span exported to <c>/v1/traces</c> so far (OTLP/HTTP protobuf).</summary>
    public IReadOnlyList<OtlpSpan> Spans() =>
        exports.Where(e => e.Path == "/v1/traces").SelectMany(e => OtlpSpan.Decode(e.Body)).ToList();

    /// <summary>Waits until the spans exported so far satisfy the condition, or the timeout passes; returns the last spans.</summary>
    public async Task<IReadOnlyList<OtlpSpan>> SpansAsync(Func<IReadOnlyList<OtlpSpan>, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var spans = Spans();
            if (done(spans) || DateTime.UtcNow > deadline) return spans;
            await Task.Delay(200);
        }
    }

    protected override async Task HandleAsync(HttpListenerContext context)
    {
        using var body = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(body);
        var bytes = body.ToArray();
        exports.Enqueue((context.Request.Url!.AbsolutePath, bytes, Encoding.UTF8.GetString(bytes)));
        lastExport[context.Request.Url!.AbsolutePath] = DateTime.UtcNow;
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/x-protobuf";
    }
}

/// <summary>
/// One exported span: the service (resource <c>service.name</c>), the instrumentation scope, the ids as lowercase hex
/// (the parent empty for a root), name, kind (1 internal, 2 server, 3 client) and its string attributes.
/// </summary>
public sealed record OtlpSpan(string Service, string Scope, string TraceId, string SpanId, string ParentSpanId, string Name, int Kind,
    IReadOnlyDictionary<string, string> Attributes)
{
    public const int Server = 2;
    public const int Client = 3;

    public bool IsRoot => ParentSpanId.Length == 0;

    public override string ToString() => $"{Service} [{Scope}] {Name} (kind {Kind}) {TraceId}/{SpanId} <- {ParentSpanId}";

    /// <summary>The spans of an ExportTraceServiceRequest: resource_spans(1) → resource(1), scope_spans(2) → scope(1), spans(2).</summary>
    public static IEnumerable<OtlpSpan> Decode(byte[] request)
    {
        foreach (var resourceSpans in Fields(request).Where(f => f.Number == 1).Select(f => f.Bytes))
        {
            var service = "";
            foreach (var (number, _, bytes) in Fields(resourceSpans))
            {
                if (number == 1) service = StringAttributes(Fields(bytes)).GetValueOrDefault("service.name", "");
                if (number != 2) continue;
                var scope = "";
                foreach (var (inner, _, content) in Fields(bytes))
                {
                    if (inner == 1) scope = Fields(content).Where(f => f.Number == 1).Select(f => Encoding.UTF8.GetString(f.Bytes)).FirstOrDefault() ?? "";
                    if (inner == 2) yield return Span(service, scope, content);
                }
            }
        }
    }

    static OtlpSpan Span(string service, string scope, byte[] span)
    {
        var fields = Fields(span).ToList();
        string Hex(int number) => Convert.ToHexStringLower(fields.FirstOrDefault(f => f.Number == number).Bytes ?? []);
        return new OtlpSpan(service, scope, Hex(1), Hex(2), Hex(4),
            Encoding.UTF8.GetString(fields.FirstOrDefault(f => f.Number == 5).Bytes ?? []),
            (int)fields.FirstOrDefault(f => f.Number == 6).Value,
            StringAttributes(fields.Where(f => f.Number == 9)));
    }

    /// <summary>KeyValue(key 1, AnyValue 2 → string_value 1) entries; fields other than 1 (attributes) are skipped by callers.</summary>
    static Dictionary<string, string> StringAttributes(IEnumerable<(int Number, ulong Value, byte[] Bytes)> keyValues)
    {
        var attributes = new Dictionary<string, string>();
        foreach (var (number, _, bytes) in keyValues)
        {
            if (bytes is null || number is not (1 or 9)) continue;
            var kv = Fields(bytes).ToList();
            var key = kv.FirstOrDefault(f => f.Number == 1).Bytes;
            var value = kv.FirstOrDefault(f => f.Number == 2).Bytes;
            var text = value is null ? null : Fields(value).FirstOrDefault(f => f.Number == 1).Bytes;
            if (key is not null && text is not null) attributes[Encoding.UTF8.GetString(key)] = Encoding.UTF8.GetString(text);
        }
        return attributes;
    }

    /// <summary>The protobuf fields of a message: number, varint/fixed value, or the bytes of a length-delimited field.</summary>
    static IEnumerable<(int Number, ulong Value, byte[] Bytes)> Fields(byte[] message)
    {
        var i = 0;
        while (i < message.Length)
        {
            var key = Varint(message, ref i);
            var number = (int)(key >> 3);
            switch (key & 7)
            {
                case 0: yield return (number, Varint(message, ref i), null!); break;
                case 1: yield return (number, BitConverter.ToUInt64(message, i), null!); i += 8; break;
                case 5: yield return (number, BitConverter.ToUInt32(message, i), null!); i += 4; break;
                case 2:
                    var length = (int)Varint(message, ref i);
                    yield return (number, 0, message[i..(i + length)]);
                    i += length;
                    break;
                default: throw new InvalidDataException($"unsupported protobuf wire type {key & 7}");
            }
        }
    }

    static ulong Varint(byte[] message, ref int i)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = message[i++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return value;
        }
    }
}
