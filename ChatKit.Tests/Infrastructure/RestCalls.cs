using System.Text.Json;

namespace ChatKit.Tests.Infrastructure;

/// <summary>Test-side helpers for the REST endpoints of the original design (/api/chatkit/threads, /api/chatkit/messages).</summary>
public static class RestCalls
{
    public static async Task<string> NewThreadAsync(HttpClient http, string? title = null)
    {
        using var response = await http.PostAsync("/api/chatkit/threads", title is null ? null : JsonContent.Create(new { title }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    public static async Task<JsonElement> SendAsync(HttpClient http, string threadId, string message)
    {
        using var response = await http.PostAsJsonAsync("/api/chatkit/messages", new { thread_id = threadId, message });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>The ids of a REST list of threads (<c>{"threads": [...]}</c>), in order.</summary>
    public static List<string> ThreadIds(JsonElement list) => list.GetProperty("threads").EnumerateArray().Select(t => t.GetProperty("id").GetString()!).ToList();
}
