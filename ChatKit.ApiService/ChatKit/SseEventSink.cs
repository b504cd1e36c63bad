using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using ChatKit.ApiService.Infrastructure;
using Microsoft.AspNetCore.Http.Features;
using ChatKit.ApiService.ChatKit.Protocol;

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

    /// <summary>
    /// Ends a stream that failed after its first event (before it, the failure is an HTTP status): an <c>error</c>
    /// event with the refusal's message, or <c>stream.error</c> for a genuine server error, which is logged.
    /// </summary>
    public async Task FailAsync(Exception exception, ILogger logger)
    {
        var error = ApiError.From(exception);
        if (error is null) logger.LogError(exception, "A stream of {Path} failed after it started.", context.Request.Path);
        await WriteAsync(error is null
            ? new ErrorEvent(ErrorEvent.StreamError, null, AllowRetry: true)
            : new ErrorEvent(ErrorEvent.Custom, error.Message, error.Retryable));
        await FlushAsync();
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
