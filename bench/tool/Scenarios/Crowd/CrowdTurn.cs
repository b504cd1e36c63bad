using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace ChatKit.Bench.Scenarios.Crowd;

/// <summary>One turn as the client saw it. Times are <see cref="Clock.NowMs"/>.</summary>
public sealed record CrowdTurn(int User, string Key, string Outcome, string? Detail, double SentMs, double? FirstDeltaMs, double EndMs, string? ThreadId, int TextDeltas)
{
    public bool Completed => Outcome == "ok";

    /// <summary>Sends one turn and reads its stream event by event (only the events that matter are parsed).</summary>
    public static async Task<CrowdTurn> RunAsync(CrowdUser u, string phase, string key, int timeoutS)
    {
        var body = phase == "create" || u.ThreadId is null ? Ops.Create(key) : Ops.AddMessage(u.ThreadId, key);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutS));
        var sent = Clock.NowMs();
        double? firstDelta = null;
        string? threadId = null;
        var deltas = 0;
        CrowdTurn End(string outcome, string? detail) => new(u.Index, key, outcome, detail, sent, firstDelta, Clock.NowMs(), threadId ?? u.ThreadId, deltas);
        try
        {
            using var req = new HttpRequestMessage(HttpMethod.Post, "/api/chatkit") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", u.Token);
            using var res = await u.Http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            if ((int)res.StatusCode != 200 || res.Content.Headers.ContentType?.MediaType != "text/event-stream")
            {
                var raw = await res.Content.ReadAsStringAsync(cts.Token);
                return End($"HTTP {(int)res.StatusCode}", Text.OneLine(raw));
            }
            using var reader = new StreamReader(await res.Content.ReadAsStreamAsync(cts.Token), Text.Utf8);
            string? error = null;
            var answered = false;
            try
            {
                while (await reader.ReadLineAsync(cts.Token) is { } line)
                {
                    if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
                    if (line.Contains("\"assistant_message.content_part.text_delta\"", StringComparison.Ordinal))
                    {
                        firstDelta ??= Clock.NowMs();
                        deltas++;
                        continue;
                    }
                    // Only the few events that matter are parsed: the thread's id, the answer's end, an error.
                    if (threadId is null && line.Contains("\"thread.created\"", StringComparison.Ordinal))
                        threadId = (string?)JsonNode.Parse(line.AsSpan(6).ToString())?["thread"]?["id"];
                    else if (line.Contains("\"thread.item.done\"", StringComparison.Ordinal) && line.Contains("\"assistant_message\"", StringComparison.Ordinal))
                        answered |= (string?)JsonNode.Parse(line.AsSpan(6).ToString())?["item"]?["type"] == "assistant_message";
                    else if (error is null && line.Contains("\"error\"", StringComparison.Ordinal)
                             && JsonNode.Parse(line.AsSpan(6).ToString()) is JsonObject e && (string?)e["type"] == "error")
                        error = $"error event {(string?)e["code"]}: {(string?)e["message"]}";
                }
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                return End("stream cut", Text.OneLine(e.Message));
            }
            if (error is not null) return End(error, null);
            return answered ? End("ok", null) : End("stream ended without an answer", null);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            return End($"timeout (no end of stream in {timeoutS} s)", null);
        }
        catch (HttpRequestException e)
        {
            return End($"connection error ({e.HttpRequestError})", Text.OneLine(e.InnerException?.Message ?? e.Message));
        }
        catch (Exception e)
        {
            // Anything else (a malformed event, say) is the turn's outcome, not the end of the run.
            return End($"client exception ({e.GetType().Name})", Text.OneLine(e.Message));
        }
    }
}
