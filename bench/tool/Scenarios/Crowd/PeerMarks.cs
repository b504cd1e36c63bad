using System.Text.Json;

namespace ChatKit.Bench.Scenarios.Crowd;

/// <summary>The Node peers' record of when their respond() yielded each turn's first text delta (`GET /bench/marks`).</summary>
public static class PeerMarks
{
    /// <summary>When the peer's respond() emitted each turn's first text delta (and the peer forgets them); empty if it cannot say.</summary>
    public static async Task<Dictionary<string, double>> TakeAsync(Target target)
    {
        try
        {
            using var http = new HttpClient { BaseAddress = target.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
            var json = await http.GetStringAsync("/bench/marks");
            return JsonSerializer.Deserialize<Dictionary<string, double>>(json) ?? [];
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            Log.Info($"{target.Name}: no first-delta marks ({e.Message})");
            return [];
        }
    }
}
