using System.Buffers;
using System.IO.Pipelines;
using System.Net.Http.Headers;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace ChatKit.ApiService.Agent;

/// <summary>
/// The agent as the API service sees it: one streaming turn call (<c>POST /internal/turns</c>, NDJSON) and the task
/// API used for @-mention search and widget actions. Every call forwards the caller's bearer token; the agent
/// validates it again. No retries: a turn is not idempotent (its tools change tasks).
/// </summary>
public sealed class AgentClient(HttpClient http, IOptions<AgentOptions> options, ILogger<AgentClient> logger)
{
    static readonly MediaTypeHeaderValue JsonContentType = new("application/json") { CharSet = "utf-8" };

    /// <summary>
    /// Runs one turn and yields the agent's events as they arrive. Consecutive text deltas that arrived together are
    /// merged into one. Ends after <c>done</c>; an <c>error</c> event, a bad status, a broken stream or a timeout
    /// throw <see cref="AgentException"/>. Cancelling <paramref name="ct"/> (the client went away) throws
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    public async IAsyncEnumerable<AgentEvent> RunTurnAsync(AgentTurnRequest turn, string? bearerToken,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var settings = options.Value;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(settings.ResponseTimeout);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/internal/turns");
        Authorize(request, bearerToken);
        var body = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(turn, AgentJsonContext.Default.AgentTurnRequest));
        body.Headers.ContentType = JsonContentType;
        request.Content = body;

        using var response = await SendAsync(request, timeout.Token, ct);
        if (!response.IsSuccessStatusCode)
        {
            logger.LogWarning("The agent answered a turn with status {Status}.", (int)response.StatusCode);
            throw AgentException.BadStatus((int)response.StatusCode);
        }

        var stream = await response.Content.ReadAsStreamAsync(ct);
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024));
        var batch = new List<AgentEvent>();
        try
        {
            while (true)
            {
                timeout.CancelAfter(settings.IdleTimeout);
                var result = await ReadAsync(reader, timeout.Token, ct);
                var buffer = result.Buffer;
                var finished = ParseLines(ref buffer, batch, result.IsCompleted);
                reader.AdvanceTo(buffer.Start, buffer.End);
                foreach (var agentEvent in batch)
                {
                    if (agentEvent.Type == AgentEvent.Error)
                    {
                        logger.LogWarning("The agent failed a turn: {Code} {Message}", agentEvent.Code, agentEvent.Message);
                        throw new AgentException(AgentFailure.Unavailable, agentEvent.Code ?? "agent_error",
                            string.IsNullOrWhiteSpace(agentEvent.Message) ? "The assistant could not answer. Please try again." : agentEvent.Message,
                            agentEvent.Retryable);
                    }
                    yield return agentEvent;
                }
                batch.Clear();
                if (finished) yield break;
                if (result.IsCompleted) throw AgentException.BrokenStream("no final event");
            }
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    /// <summary>The caller's tasks matching <paramref name="query"/> (title or description), newest first.</summary>
    public async Task<AgentTaskPage> SearchTasksAsync(string? bearerToken, string? query, int limit, CancellationToken ct)
    {
        var path = $"/api/tasks?limit={limit}" + (string.IsNullOrWhiteSpace(query) ? "" : "&q=" + Uri.EscapeDataString(query.Trim()));
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        Authorize(request, bearerToken);
        using var response = await SendTaskCallAsync(request, ct);
        if (!response.IsSuccessStatusCode) throw AgentException.BadStatus((int)response.StatusCode);
        return await response.Content.ReadFromJsonAsync(AgentJsonContext.Default.AgentTaskPage, ct) ?? new AgentTaskPage();
    }

    /// <summary>Marks the caller's task done (idempotent); null when it does not exist or is someone else's.</summary>
    public async Task<AgentTask?> CompleteTaskAsync(string? bearerToken, long taskId, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/tasks/{taskId}/complete");
        Authorize(request, bearerToken);
        using var response = await SendTaskCallAsync(request, ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        if (!response.IsSuccessStatusCode) throw AgentException.BadStatus((int)response.StatusCode);
        return await response.Content.ReadFromJsonAsync(AgentJsonContext.Default.AgentTask, ct);
    }

    async Task<HttpResponseMessage> SendTaskCallAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.TaskApiTimeout);
        return await SendAsync(request, timeout.Token, ct);
    }

    async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken timeoutToken, CancellationToken callerToken)
    {
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeoutToken);
        }
        catch (OperationCanceledException) when (!callerToken.IsCancellationRequested)
        {
            logger.LogWarning("The agent did not answer {Method} {Path} in time.", request.Method, request.RequestUri);
            throw AgentException.TimedOut();
        }
        catch (HttpRequestException e)
        {
            logger.LogWarning(e, "The agent is unreachable ({Method} {Path}).", request.Method, request.RequestUri);
            throw AgentException.Unreachable(e);
        }
    }

    static async ValueTask<ReadResult> ReadAsync(PipeReader reader, CancellationToken timeoutToken, CancellationToken callerToken)
    {
        try
        {
            return await reader.ReadAsync(timeoutToken);
        }
        catch (OperationCanceledException) when (!callerToken.IsCancellationRequested)
        {
            throw AgentException.TimedOut();
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw AgentException.BrokenStream("connection lost", e);
        }
    }

    /// <summary>Parses the complete lines in the buffer; true once the final <c>done</c> event has been read.</summary>
    static bool ParseLines(ref ReadOnlySequence<byte> buffer, List<AgentEvent> events, bool isCompleted)
    {
        var sequence = new SequenceReader<byte>(buffer);
        var done = false;
        while (!done)
        {
            ReadOnlySequence<byte> line;
            if (!sequence.TryReadTo(out line, (byte)'\n'))
            {
                if (!isCompleted || sequence.End) break;
                line = sequence.UnreadSequence;   // a last line without a newline
                sequence.AdvanceToEnd();
            }
            if (IsBlank(line)) continue;
            AgentEvent? parsed;
            try
            {
                var json = new Utf8JsonReader(line);
                parsed = JsonSerializer.Deserialize(ref json, AgentJsonContext.Default.AgentEvent);
            }
            catch (JsonException e)
            {
                throw AgentException.BrokenStream("malformed event", e);
            }
            if (parsed is null) continue;
            if (parsed.Type == AgentEvent.TextDelta && events.Count > 0 && events[^1].Type == AgentEvent.TextDelta)
            {
                events[^1] = events[^1] with { Delta = events[^1].Delta + parsed.Delta };
                continue;
            }
            events.Add(parsed);
            done = parsed.Type is AgentEvent.Done or AgentEvent.Error;
        }
        buffer = buffer.Slice(sequence.Position);
        return done;
    }

    static bool IsBlank(ReadOnlySequence<byte> line)
    {
        foreach (var segment in line)
        {
            foreach (var b in segment.Span)
            {
                if (b is not ((byte)' ' or (byte)'\r' or (byte)'\t')) return false;
            }
        }
        return true;
    }

    static void Authorize(HttpRequestMessage request, string? bearerToken)
    {
        if (!string.IsNullOrEmpty(bearerToken)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
    }
}
