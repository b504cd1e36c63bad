using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace ChatKit.ApiService.ChatKit;

/// <summary>Where a turn's ChatKit events go: an SSE response, or nowhere (the REST JSON reply).</summary>
public interface IChatKitEventSink
{
    /// <summary>True once the first event went out: from then on failures are error events, not HTTP statuses.</summary>
    bool Started { get; }

    /// <summary>Adds an event to the response; it goes out on the next <see cref="FlushAsync"/>.</summary>
    ValueTask WriteAsync(ChatKitEvent chatKitEvent);

    /// <summary>
    /// Sends what was written. Call it before waiting for anything (the agent, the database) and at the end, so
    /// events that are ready together leave in one write instead of one system call each.
    /// </summary>
    ValueTask FlushAsync();
}

public sealed class NullEventSink : IChatKitEventSink
{
    public static NullEventSink Instance { get; } = new();

    public bool Started => false;

    public ValueTask WriteAsync(ChatKitEvent chatKitEvent) => ValueTask.CompletedTask;

    public ValueTask FlushAsync() => ValueTask.CompletedTask;
}

/// <summary>
/// Server-sent events as ChatKit frames them (a1): <c>data: </c> + compact JSON + blank line; no event names, ids,
/// heartbeats or end marker. Events are flushed when the writer is about to wait, not one by one: ten events that are
/// ready at once cost one send instead of ten (per-event sends were 17% of the API's CPU; docs/benchmarks.md).
/// Headers go out with the first event, so errors before it can still be a proper HTTP status. Once the client has
/// gone, writes are dropped; the request's abort token tells the turn.
/// </summary>
public sealed class SseEventSink(HttpContext context) : IChatKitEventSink
{
    static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    Utf8JsonWriter? json;
    bool unflushed;

    public bool Started { get; private set; }

    public ValueTask WriteAsync(ChatKitEvent chatKitEvent)
    {
        var response = context.Response;
        if (context.RequestAborted.IsCancellationRequested) return ValueTask.CompletedTask;
        if (!Started)
        {
            Started = true;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no";
            context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        }
        var writer = response.BodyWriter;
        writer.Write("data: "u8);
        if (json is null) json = new Utf8JsonWriter(writer, WriterOptions); else json.Reset(writer);
        JsonSerializer.Serialize(json, chatKitEvent, ChatKitJson.Context.ChatKitEvent);
        json.Flush();
        writer.Write("\n\n"u8);
        unflushed = true;
        return ValueTask.CompletedTask;
    }

    public async ValueTask FlushAsync()
    {
        if (!unflushed || context.RequestAborted.IsCancellationRequested) return;
        unflushed = false;
        try
        {
            await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client went away; the turn notices through RequestAborted.
        }
    }
}

public static class EventStreams
{
    /// <summary>
    /// Runs a streaming operation against an SSE response: failures before the first event become problem details
    /// with their status; after it, an <c>error</c> event and a clean end. A client that goes away ends it quietly.
    /// </summary>
    public static async Task RunAsync(HttpContext http, ILogger logger, string operation, Func<IChatKitEventSink, Task> run)
    {
        var sink = new SseEventSink(http);
        try
        {
            await run(sink);
            await sink.FlushAsync();
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
        }
        catch (Exception e) when (!sink.Started)
        {
            await WriteProblemAsync(http, logger, e);
        }
        catch (Exception e)
        {
            var error = ApiError.From(e);
            if (error is null) logger.LogError(e, "A {Operation} stream failed.", operation);
            await sink.WriteAsync(error is null
                ? new ErrorEvent(ErrorEvent.StreamError, null, AllowRetry: true)
                : new ErrorEvent(ErrorEvent.Custom, error.Message, AllowRetry: error.Status >= 500));
            await sink.FlushAsync();
        }
    }

    /// <summary>The problem details an exception stands for; a genuine server error is logged and answered 500.</summary>
    public static async Task WriteProblemAsync(HttpContext http, ILogger logger, Exception exception)
    {
        var error = ApiError.From(exception);
        if (error is null)
        {
            logger.LogError(exception, "Request {Method} {Path} failed.", http.Request.Method, http.Request.Path);
            error = new ApiError(StatusCodes.Status500InternalServerError, "internal_error", "The server failed to handle the request.");
        }
        if (http.Response.HasStarted) return;
        error.AddHeaders(http.Response);
        await error.ToResult().ExecuteAsync(http);
    }
}
