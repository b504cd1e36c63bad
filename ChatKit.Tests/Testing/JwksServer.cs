namespace ChatKit.Testing;

/// <summary>
/// Better Auth's <c>/api/auth/jwks</c> for the tests: a tiny HttpListener on 127.0.0.1 that serves the public keys it
/// is told to publish and counts how often the services fetch them.
/// </summary>
public sealed class JwksServer(IEnumerable<TestKey> published) : LoopbackHttpServer
{
    const string JwksPath = "/api/auth/jwks";
    readonly List<TestKey> keys = [.. published];
    int fetches;

    public string JwksUrl => Url + JwksPath;

    /// <summary>How many times the JWKS document was fetched.</summary>
    public int Fetches => Volatile.Read(ref fetches);

    /// <summary>Adds a key, like Better Auth after a key rotation.</summary>
    public void Publish(TestKey key)
    {
        lock (keys) keys.Add(key);
    }

    protected override async Task HandleAsync(HttpListenerContext context)
    {
        if (context.Request.Url?.AbsolutePath != JwksPath)
        {
            context.Response.StatusCode = 404;
            return;
        }
        Interlocked.Increment(ref fetches);
        object[] jwks;
        lock (keys) jwks = [.. keys.Select(k => k.PublicJwk).OfType<Dictionary<string, string>>()];
        await WriteJsonAsync(context.Response, 200, new { keys = jwks });
    }
}
