using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using ChatKit.ApiService.Infrastructure;
using ChatKit.ApiService.Turns;
using Microsoft.AspNetCore.Http.Features;

namespace ChatKit.ApiService.ChatKit;

/// <summary>
/// Server-sent events as ChatKit frames them (docs/chatkit-protocol.md a1): <c>data: </c> + compact JSON + blank line; no event names, ids,
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

/// <summary>Runs a turn against an SSE response, the one place where a stream's failures are answered.</summary>
public static class EventStreams
{
    /// <summary>
    /// Failures before the first event propagate (the service's exception handler answers them with their status); after
    /// it they become an <c>error</c> event and a clean end of the stream. A client that goes away ends it quietly.
    /// </summary>
    public static async Task RunAsync(HttpContext http, ILogger logger, Func<IChatKitEventSink, Task> run)
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
        catch (Exception e) when (sink.Started)
        {
            var error = ApiError.From(e);
            if (error is null) logger.LogError(e, "A stream of {Path} failed after it started.", http.Request.Path);
            await sink.WriteAsync(error is null
                ? new ErrorEvent(ErrorEvent.StreamError, null, AllowRetry: true)
                : new ErrorEvent(ErrorEvent.Custom, error.Message, error.Retryable));
            await sink.FlushAsync();
        }
    }
}
