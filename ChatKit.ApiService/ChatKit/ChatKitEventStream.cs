using ChatKit.ApiService.ChatKit.Protocol;

namespace ChatKit.ApiService.ChatKit;

/// <summary>
/// A streamed answer (a turn, a widget action) as server-sent events, for both entry points (<c>POST /api/chatkit</c>
/// and the REST message with <c>Accept: text/event-stream</c>). Until the first event a refusal propagates and
/// becomes problem details (the service's exception handler); after it, it ends the stream as an <c>error</c> event
/// (<see cref="SseEventSink.FailAsync"/>). A client that goes away ends it quietly: what the turn made is saved.
/// </summary>
public sealed class ChatKitEventStream(Func<IChatKitEventSink, CancellationToken, Task> run) : IResult
{
    public async Task ExecuteAsync(HttpContext http)
    {
        var sink = new SseEventSink(http);
        try
        {
            await run(sink, http.RequestAborted);
            await sink.FlushAsync();
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away; what the turn made is saved.
        }
        catch (Exception e) when (sink.Started)
        {
            await sink.FailAsync(e, http.RequestServices.GetRequiredService<ILogger<ChatKitEventStream>>());
        }
    }
}
