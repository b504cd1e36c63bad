namespace ChatKit.Bench.Scenarios.Crowd;

/// <summary>One person of the crowd: a token and a connection of their own, and the thread the create phase gave them.</summary>
public sealed class CrowdUser(int index, string token, HttpClient http) : IDisposable
{
    public int Index { get; } = index;
    public string Token { get; } = token;
    public HttpClient Http { get; } = http;
    public string? ThreadId { get; set; }
    public void Dispose() => Http.Dispose();
}
