using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ChatKit.Bench.Load;

/// <summary>
/// A lean HTTP/1.1 load generator on raw sockets (keep-alive, chunked decoding), closed loop: each connection sends its
/// next request when the previous response has ended. It measures latency to the last byte and, for streams, the time
/// to the first SSE event (the first non-empty body chunk), which wrk cannot see.
/// </summary>
public static class RawLoad
{
    public static async Task<LoadResult> RunAsync(Uri baseUri, RequestSet set, int connections, TimeSpan duration, TimeSpan warmup)
    {
        var payloads = set.Requests.Select(r => Build(baseUri, r.Token, r.Body)).ToArray();
        var endpoint = new IPEndPoint(IPAddress.Parse(baseUri.Host == "localhost" ? "127.0.0.1" : baseUri.Host), baseUri.Port);
        var measuring = false;
        var stopAt = long.MaxValue;
        var workers = new Worker[connections];
        for (var i = 0; i < connections; i++) workers[i] = new Worker(endpoint, payloads, i * 7919);
        var tasks = workers.Select(w => Task.Run(() => w.Loop(() => measuring, () => Stopwatch.GetTimestamp() >= Volatile.Read(ref stopAt)))).ToArray();
        await Task.Delay(warmup);
        var start = Stopwatch.GetTimestamp();
        measuring = true;
        Volatile.Write(ref stopAt, start + (long)(duration.TotalSeconds * Stopwatch.Frequency));
        await Task.WhenAll(tasks);
        var seconds = (Stopwatch.GetTimestamp() - start) / (double)Stopwatch.Frequency;
        var lat = workers.SelectMany(w => w.Latency).ToList();
        var ttfe = workers.SelectMany(w => w.Ttfe).ToList();
        var n = workers.Sum(w => w.Count);
        return new LoadResult(n, Math.Round(seconds, 3), Math.Round(n / seconds, 1), workers.Sum(w => w.Ok), workers.Sum(w => w.BadStatus),
            workers.Sum(w => w.ErrorEvents), workers.Sum(w => w.SocketErrors), Percentiles.Of(lat), set.Streaming ? Percentiles.Of(ttfe) : null);
    }

    static byte[] Build(Uri baseUri, string token, string body)
    {
        var b = Text.Utf8.GetBytes(body);
        var head = $"POST /api/chatkit HTTP/1.1\r\nHost: {baseUri.Authority}\r\nAuthorization: Bearer {token}\r\n" +
                   $"Content-Type: application/json\r\nContent-Length: {b.Length}\r\n\r\n";
        return [.. Encoding.ASCII.GetBytes(head), .. b];
    }

    sealed class Worker(IPEndPoint endpoint, byte[][] payloads, int offset)
    {
        public readonly List<long> Latency = new(1 << 16);
        public readonly List<long> Ttfe = new(1 << 16);
        public long Count, Ok, BadStatus, ErrorEvents, SocketErrors;
        readonly byte[] buf = new byte[1 << 16];
        int start, end;
        Socket? socket;
        static readonly byte[] ErrorMarker = Encoding.ASCII.GetBytes("\"type\":\"error\"");

        public async Task Loop(Func<bool> measuring, Func<bool> done)
        {
            var i = offset;
            while (!done())
            {
                var payload = payloads[i++ % payloads.Length];
                try
                {
                    socket ??= await Connect();
                    var t0 = Stopwatch.GetTimestamp();
                    await socket.SendAsync(payload, SocketFlags.None);
                    var (status, firstChunk, sawError, close) = await ReadResponse();
                    var t1 = Stopwatch.GetTimestamp();
                    if (close) Reset();
                    if (!measuring()) continue;
                    Count++;
                    Latency.Add(t1 - t0);
                    if (firstChunk > 0) Ttfe.Add(firstChunk - t0);
                    if (status != 200) BadStatus++;
                    else if (sawError) ErrorEvents++;
                    else Ok++;
                }
                catch (Exception e) when (e is SocketException or IOException or InvalidDataException or ObjectDisposedException)
                {
                    Reset();
                    if (measuring()) { Count++; SocketErrors++; }
                    await Task.Delay(10);
                }
            }
            Reset();
        }

        async Task<Socket> Connect()
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await s.ConnectAsync(endpoint);
            start = end = 0;
            return s;
        }

        void Reset()
        {
            socket?.Dispose();
            socket = null;
            start = end = 0;
        }

        async Task Fill()
        {
            if (start > 0 && start == end) start = end = 0;
            if (end == buf.Length)
            {
                if (start == 0) throw new InvalidDataException("response line too long");
                Buffer.BlockCopy(buf, start, buf, 0, end - start);
                end -= start; start = 0;
            }
            var n = await socket!.ReceiveAsync(buf.AsMemory(end), SocketFlags.None);
            if (n == 0) throw new IOException("connection closed by server");
            end += n;
        }

        async Task<string> ReadLine()
        {
            while (true)
            {
                var idx = Array.IndexOf(buf, (byte)'\n', start, end - start);
                if (idx >= 0)
                {
                    var line = Encoding.ASCII.GetString(buf, start, idx - start).TrimEnd('\r');
                    start = idx + 1;
                    return line;
                }
                await Fill();
            }
        }

        async Task<(int Status, long FirstChunk, bool SawError, bool Close)> ReadResponse()
        {
            var statusLine = await ReadLine();
            var status = int.Parse(statusLine.AsSpan(9, 3));
            long contentLength = -1;
            bool chunked = false, close = false;
            for (var line = await ReadLine(); line.Length > 0; line = await ReadLine())
            {
                var colon = line.IndexOf(':');
                if (colon <= 0) continue;
                var name = line.AsSpan(0, colon).Trim();
                var value = line.AsSpan(colon + 1).Trim();
                if (name.Equals("content-length", StringComparison.OrdinalIgnoreCase)) contentLength = long.Parse(value);
                else if (name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase) && value.Contains("chunked", StringComparison.OrdinalIgnoreCase)) chunked = true;
                else if (name.Equals("connection", StringComparison.OrdinalIgnoreCase) && value.Equals("close", StringComparison.OrdinalIgnoreCase)) close = true;
            }
            long firstChunk = 0;
            var sawError = false;
            if (chunked)
            {
                while (true)
                {
                    var sizeLine = await ReadLine();
                    var semi = sizeLine.IndexOf(';');
                    var size = Convert.ToInt64(semi >= 0 ? sizeLine[..semi] : sizeLine, 16);
                    if (size == 0)
                    {
                        while ((await ReadLine()).Length > 0) { } // trailers
                        break;
                    }
                    if (firstChunk == 0) firstChunk = Stopwatch.GetTimestamp();
                    sawError |= await Skip(size);
                    await ReadLine(); // CRLF after the chunk
                }
            }
            else if (contentLength > 0)
            {
                if (firstChunk == 0) firstChunk = Stopwatch.GetTimestamp();
                sawError |= await Skip(contentLength);
            }
            else if (contentLength < 0 && status != 204 && status != 304)
            {
                close = true; // body until close: not expected from either server
            }
            return (status, firstChunk, sawError, close);
        }

        /// <summary>Consumes n body bytes and reports whether they hold an SSE error event.</summary>
        async Task<bool> Skip(long n)
        {
            var sawError = false;
            while (n > 0)
            {
                if (start == end) await Fill();
                var take = (int)Math.Min(n, end - start);
                sawError |= buf.AsSpan(start, take).IndexOf(ErrorMarker) >= 0;
                start += take; n -= take;
            }
            return sawError;
        }
    }
}
