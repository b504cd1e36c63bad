using System.Net.Sockets;
using System.Text.Json;

namespace ChatKit.Tests.Infrastructure;

/// <summary>
/// Better Auth's <c>/api/auth/jwks</c> for the tests: a tiny HttpListener on 127.0.0.1 that serves the public keys it
/// is told to publish and counts how often the services fetch them.
/// </summary>
public sealed class JwksServer : IDisposable
{
    readonly HttpListener listener = new();
    readonly List<TestKey> keys;
    int fetches;

    public JwksServer(IEnumerable<TestKey> published)
    {
        keys = [.. published];
        var port = FreePort();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        Url = $"http://127.0.0.1:{port}/api/auth/jwks";
        _ = ServeAsync();
    }

    public string Url { get; }

    /// <summary>How many times the JWKS document was fetched.</summary>
    public int Fetches => Volatile.Read(ref fetches);

    /// <summary>Adds a key, like Better Auth after a key rotation.</summary>
    public void Publish(TestKey key)
    {
        lock (keys) keys.Add(key);
    }

    async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception) when (!listener.IsListening)
            {
                return;
            }
            using var response = context.Response;
            if (context.Request.Url?.AbsolutePath != "/api/auth/jwks")
            {
                response.StatusCode = 404;
                continue;
            }
            Interlocked.Increment(ref fetches);
            object[] jwks;
            lock (keys) jwks = [.. keys.Select(k => k.PublicJwk).OfType<Dictionary<string, string>>()];
            var body = JsonSerializer.SerializeToUtf8Bytes(new { keys = jwks });
            response.ContentType = "application/json";
            response.ContentLength64 = body.Length;
            await response.OutputStream.WriteAsync(body);
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
