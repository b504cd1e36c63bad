using System.Net.Sockets;

namespace ChatKit.Testing;

/// <summary>
/// An HttpListener on 127.0.0.1 at a free port that hands every request to <see cref="HandleAsync"/>, concurrently,
/// and closes the response afterwards. The base of the tests' stand-ins: Better Auth's JWKS, the agent, a model
/// provider, an OTLP collector. A client that hangs up mid-answer is not an error.
/// </summary>
public abstract class LoopbackHttpServer : IDisposable
{
    readonly HttpListener listener = new();

    protected LoopbackHttpServer()
        : this(0)
    {
    }

    /// <summary>On the given loopback port; 0 takes a free one.</summary>
    protected LoopbackHttpServer(int port)
    {
        Url = $"http://127.0.0.1:{(port == 0 ? FreePort() : port)}";
        listener.Prefixes.Add(Url + "/");
        Start();
    }

    /// <summary>The server's origin, e.g. <c>http://127.0.0.1:40123</c>.</summary>
    public string Url { get; }

    protected abstract Task HandleAsync(HttpListenerContext context);

    /// <summary>Takes the server off the network (connections are refused) until <see cref="Start"/>.</summary>
    public void Stop() => listener.Stop();

    public void Start()
    {
        if (listener.IsListening) return;
        listener.Start();
        _ = AcceptAsync();
    }

    async Task AcceptAsync()
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
            catch (HttpListenerException)
            {
                // One client's connection failed before its request was whole (e.g. an exporter that timed out under
                // load): keep serving the others. Returning here left the server deaf while it still looked up.
                continue;
            }
            _ = Task.Run(() => ServeAsync(context));
        }
    }

    async Task ServeAsync(HttpListenerContext context)
    {
        try
        {
            await HandleAsync(context);
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
        {
            // The client hung up (a cancelled turn, a timed-out attempt): nothing left to answer.
        }
        finally
        {
            try
            {
                context.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
            }
        }
    }

    public static async Task WriteJsonAsync(HttpListenerResponse response, int status, object body)
    {
        var bytes = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(body);
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
    }

    static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public virtual void Dispose()
    {
        listener.Close();
        GC.SuppressFinalize(this);
    }
}
