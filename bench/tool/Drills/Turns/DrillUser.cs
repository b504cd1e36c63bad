namespace ChatKit.Bench.Drills.Turns;

/// <summary>A drill's user: a token, a connection of their own, the API replica it talks to and its thread.</summary>
public sealed class DrillUser(int index, string token, HttpClient http, Uri uri) : IDisposable
{
    public int Index { get; } = index;
    public string Token { get; } = token;
    public HttpClient Http { get; } = http;
    public Uri Uri { get; } = uri;
    public int Replica => Index % 2;
    public string? ThreadId { get; set; }
    public void Dispose() => Http.Dispose();
}
