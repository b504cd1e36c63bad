using System.Net.Http.Headers;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using ChatKit.Agent.Contracts;
using Microsoft.Extensions.Options;

namespace ChatKit.ApiService.Agent;

/// <summary>
/// The agent as the API service sees it: one streaming turn call (<c>POST /internal/turns</c>, NDJSON) and the task
/// API used for @-mention search and widget actions. The caller's bearer token goes with every call
/// (<see cref="CallerTokenHandler"/>); the agent validates it again. No retries: a turn is not idempotent (its tools
/// change tasks).
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
    public async IAsyncEnumerable<AgentEvent> RunTurnAsync(AgentTurnRequest turn, [EnumeratorCancellation] CancellationToken ct)
    {
        var settings = options.Value;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(settings.ResponseTimeout);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/internal/turns");
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
        await using var events = JsonSerializer.DeserializeAsyncEnumerable(stream, AgentJsonContext.Default.AgentEvent, topLevelValues: true,
            timeout.Token).GetAsyncEnumerator(timeout.Token);
        AgentEvent.TextDelta? text = null;
        var next = ValueTask.FromResult(false);
        var readPending = false;
        try
        {
            while (true)
            {
                // Each event must come within the idle timeout of the one before.
                timeout.CancelAfter(settings.IdleTimeout);
                next = events.MoveNextAsync();
                if (text is not null && !next.IsCompleted)
                {
                    // Nothing more is ready: the text merged so far goes out while the next event is awaited.
                    readPending = true;
                    yield return text;
                    readPending = false;
                    text = null;
                }
                var agentEvent = await ReadAsync(next, events, ct);
                if (agentEvent is AgentEvent.TextDelta delta)
                {
                    text = text is null ? delta : text with { Delta = text.Delta + delta.Delta };
                    continue;
                }
                if (text is not null)
                {
                    yield return text;
                    text = null;
                }
                switch (agentEvent)
                {
                    case AgentEvent.Error error:
                        logger.LogWarning("The agent failed a turn: {Code} {Message}", error.Code, error.Message);
                        throw new AgentException(AgentFailure.Unavailable, error.Code ?? "agent_error",
                            string.IsNullOrWhiteSpace(error.Message) ? "The assistant could not answer. Please try again." : error.Message,
                            error.Retryable);
                    case AgentEvent.Done:
                        yield return agentEvent;
                        yield break;
                    case not null:
                        yield return agentEvent;
                        break;
                }
            }
        }
        finally
        {
            // The caller stopped while a read was under way: end it before the reader is disposed (which it must not be mid-read).
            if (readPending)
            {
                await timeout.CancelAsync();
                await ((Task)next.AsTask()).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>The caller's tasks matching <paramref name="query"/> (title or description), newest first.</summary>
    public async Task<AgentTaskPage> SearchTasksAsync(string? query, int limit, CancellationToken ct)
    {
        var path = $"/api/tasks?limit={limit}" + (string.IsNullOrWhiteSpace(query) ? "" : "&q=" + Uri.EscapeDataString(query.Trim()));
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        using var response = await SendTaskCallAsync(request, ct);
        if (!response.IsSuccessStatusCode) throw AgentException.TasksUnavailable(AgentFailure.Unavailable);
        return await response.Content.ReadFromJsonAsync(AgentJsonContext.Default.AgentTaskPage, ct) ?? new AgentTaskPage();
    }

    /// <summary>Marks the caller's task done (idempotent); null when it does not exist or is someone else's.</summary>
    public async Task<AgentTask?> CompleteTaskAsync(long taskId, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/tasks/{taskId}/complete");
        using var response = await SendTaskCallAsync(request, ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        if (!response.IsSuccessStatusCode) throw AgentException.TasksUnavailable(AgentFailure.Unavailable);
        return await response.Content.ReadFromJsonAsync(AgentJsonContext.Default.AgentTask, ct);
    }

    /// <summary>A task call; its failures say that tasks cannot be reached (no message of the user's is at stake).</summary>
    async Task<HttpResponseMessage> SendTaskCallAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.TaskApiTimeout);
        return await SendAsync(request, timeout.Token, ct, taskCall: true);
    }

    async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken timeoutToken, CancellationToken callerToken,
        bool taskCall = false)
    {
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeoutToken);
        }
        catch (OperationCanceledException) when (!callerToken.IsCancellationRequested)
        {
            logger.LogWarning("The agent did not answer {Method} {Path} in time.", request.Method, request.RequestUri);
            throw taskCall ? AgentException.TasksUnavailable(AgentFailure.Timeout) : AgentException.TimedOut();
        }
        catch (HttpRequestException e)
        {
            logger.LogWarning(e, "The agent is unreachable ({Method} {Path}).", request.Method, request.RequestUri);
            throw taskCall ? AgentException.TasksUnavailable(AgentFailure.Unavailable, e) : AgentException.Unreachable(e);
        }
    }

    /// <summary>The next event of the stream (null for a JSON <c>null</c>), with its failures as <see cref="AgentException"/>s.</summary>
    static async ValueTask<AgentEvent?> ReadAsync(ValueTask<bool> next, IAsyncEnumerator<AgentEvent?> events, CancellationToken callerToken)
    {
        try
        {
            return await next ? events.Current : throw AgentException.BrokenStream("no final event");
        }
        catch (OperationCanceledException) when (!callerToken.IsCancellationRequested)
        {
            throw AgentException.TimedOut();
        }
        catch (JsonException e)
        {
            throw AgentException.BrokenStream("malformed event", e);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw AgentException.BrokenStream("connection lost", e);
        }
    }
}
