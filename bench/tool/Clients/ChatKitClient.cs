using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatKit.Bench.Clients;

/// <summary>A small ChatKit client for seeding, probing and the drills' checks (not for measuring: that is the load generators').</summary>
public sealed class ChatKitClient(Uri baseUri) : IDisposable
{
    readonly HttpClient http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(60) };

    public async Task<StreamReply> StreamAsync(string token, string body, CancellationToken ct = default)
    {
        using var req = Request(token, body);
        using var res = await http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, ct);
        var raw = await res.Content.ReadAsStringAsync(ct);
        var events = new List<JsonObject>();
        if (res.Content.Headers.ContentType?.MediaType == "text/event-stream")
            foreach (var line in raw.Split('\n'))
                if (line.StartsWith("data: ", StringComparison.Ordinal) && JsonNode.Parse(line[6..]) is JsonObject o) events.Add(o);
        return new StreamReply((int)res.StatusCode, events, raw);
    }

    /// <summary>Reads a stream event by event as it arrives; onEvent runs for each one (e.g. to kill the agent mid-answer).</summary>
    public async Task<StreamReply> StreamLiveAsync(string token, string body, Func<JsonObject, Task> onEvent, CancellationToken ct = default)
    {
        using var req = Request(token, body);
        using var res = await http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, ct);
        var events = new List<JsonObject>();
        var raw = new StringBuilder();
        if (res.Content.Headers.ContentType?.MediaType != "text/event-stream")
            return new StreamReply((int)res.StatusCode, events, await res.Content.ReadAsStringAsync(ct));
        using var reader = new StreamReader(await res.Content.ReadAsStreamAsync(ct));
        try
        {
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                raw.AppendLine(line);
                if (!line.StartsWith("data: ", StringComparison.Ordinal) || JsonNode.Parse(line[6..]) is not JsonObject o) continue;
                events.Add(o);
                await onEvent(o);
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            raw.AppendLine("[stream cut: " + e.Message + "]");
            return new StreamReply(-1, events, raw.ToString());
        }
        return new StreamReply((int)res.StatusCode, events, raw.ToString());
    }

    public async Task<(int Status, JsonNode? Json, string Raw)> CallAsync(string token, string body, CancellationToken ct = default)
    {
        using var req = Request(token, body);
        using var res = await http.SendAsync(req, ct);
        var raw = await res.Content.ReadAsStringAsync(ct);
        JsonNode? json = null;
        try { json = raw.Length > 0 ? JsonNode.Parse(raw) : null; } catch (JsonException) { }
        return ((int)res.StatusCode, json, raw);
    }

    /// <summary>
    /// Sends raw bytes; <paramref name="freshConnection"/> asks for a connection that is closed afterwards (not reused),
    /// <paramref name="rawPath"/> sends the path exactly as written (no resolving of dot segments, no unescaping).
    /// </summary>
    public async Task<(int Status, string Raw)> SendAsync(string? token, string contentType, byte[] body, string path = "/api/chatkit", string method = "POST",
        CancellationToken ct = default, bool freshConnection = false, bool rawPath = false)
    {
        var uri = rawPath
            ? new Uri(http.BaseAddress!.GetLeftPart(UriPartial.Authority) + path, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true })
            : new Uri(path, UriKind.RelativeOrAbsolute);
        using var req = new HttpRequestMessage(new HttpMethod(method), uri);
        if (token is not null) req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (freshConnection) req.Headers.ConnectionClose = true;
        if (method != "GET")
        {
            req.Content = new ByteArrayContent(body);
            req.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }
        using var res = await http.SendAsync(req, ct);
        return ((int)res.StatusCode, await res.Content.ReadAsStringAsync(ct));
    }

    /// <summary>Every item id of a thread, oldest first, by paging items.list.</summary>
    public async Task<List<string>> AllItemIdsAsync(string token, string threadId)
    {
        var ids = new List<string>();
        string? after = null;
        while (true)
        {
            var (status, json, raw) = await CallAsync(token, Ops.ListItems(threadId, 100, after, "asc"));
            if (status != 200) throw new InvalidOperationException($"items.list answered {status}: {raw}");
            foreach (var item in json!["data"]!.AsArray()) ids.Add((string)item!["id"]!);
            if (json["has_more"]?.GetValue<bool>() != true) return ids;
            after = (string?)json["after"];
        }
    }

    static HttpRequestMessage Request(string token, string body)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, "/api/chatkit") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return req;
    }

    public void Dispose() => http.Dispose();
}
