using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace ChatKit.Bench.Drills.Turns;

/// <summary>Streams of many users at once, read event by event, for the drills that disturb a crowd.</summary>
public static class DrillTurns
{
    public static HttpClient NewHttp() => new(new SocketsHttpHandler
    {
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10), ConnectTimeout = TimeSpan.FromSeconds(30),
        AutomaticDecompression = System.Net.DecompressionMethods.None, UseCookies = false,
    }) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>Starts every user's turn at the same moment.</summary>
    public static async Task<DrillTurn[]> AllAtOnce(IEnumerable<DrillUser> users, Func<DrillUser, Task<DrillTurn>> turn)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = users.Select(async u => { await gate.Task; return await turn(u); }).ToList();
        gate.SetResult();
        return await Task.WhenAll(running);
    }

    /// <summary>Reads one streamed turn event by event into <paramref name="t"/>.</summary>
    public static async Task RunAsync(HttpClient http, Uri baseUri, string token, DrillTurn t, string body, int timeoutS, Action<DrillTurn>? onFirstDelta = null)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutS));
        t.SentMs = Clock.NowMs();
        void End(string outcome, string? detail) { t.Outcome = outcome; t.Detail = detail; t.EndMs = Clock.NowMs(); }
        try
        {
            using var req = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUri, "/api/chatkit")) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var res = await http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            t.Status = (int)res.StatusCode;
            if (t.Status != 200 || res.Content.Headers.ContentType?.MediaType != "text/event-stream")
            {
                End($"HTTP {t.Status}", Text.OneLine(await res.Content.ReadAsStringAsync(cts.Token)));
                return;
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
                        if (t.FirstDeltaMs is null) { t.FirstDeltaMs = Clock.NowMs(); onFirstDelta?.Invoke(t); }
                        t.Deltas++;
                        continue;
                    }
                    if (JsonNode.Parse(line.AsSpan(6).ToString()) is not JsonObject e) continue;
                    var itemType = e["item"]?["type"]?.GetValue<string>();
                    switch (e["type"]?.GetValue<string>())
                    {
                        case "thread.created":
                            t.ThreadId ??= (string?)e["thread"]?["id"];
                            break;
                        case "thread.item.done" when itemType == "user_message" && t.UserItemId is null:
                            t.AckMs = Clock.NowMs();
                            t.UserItemId = (string?)e["item"]?["id"];
                            t.ThreadId ??= (string?)e["item"]?["thread_id"];
                            break;
                        case "thread.item.done" when itemType == "assistant_message":
                            answered = true;
                            break;
                        case "error":
                            error ??= $"error event {(string?)e["code"]}: {(string?)e["message"]}";
                            break;
                    }
                }
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                End("stream cut", Text.OneLine(e.Message));
                return;
            }
            if (error is not null) End(error, null);
            else End(answered ? "ok" : "stream ended without an answer", null);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            End($"timeout (no end of stream in {timeoutS} s)", null);
        }
        catch (HttpRequestException e)
        {
            End($"connection error ({e.HttpRequestError})", Text.OneLine(e.InnerException?.Message ?? e.Message));
        }
        catch (Exception e)
        {
            End($"client exception ({e.GetType().Name})", Text.OneLine(e.Message));
        }
    }

    public static string Kinds(IEnumerable<DrillTurn> turns, string prefix = "; ")
    {
        var groups = turns.GroupBy(t => t.Outcome).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} × {g.Count()}").ToList();
        return groups.Count == 0 ? "" : prefix + string.Join("; ", groups);
    }
}
