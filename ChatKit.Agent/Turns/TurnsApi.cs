using System.Buffers;
using System.Text.Json;
using ChatKit.Agent.Contracts;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChatKit.Agent.Turns;

/// <summary>The internal turn endpoint the API service calls (docs/agent-turns.md).</summary>
public static class TurnsApi
{
    /// <summary>Maps <c>POST /internal/turns</c>: validates the caller's token again and streams the turn as NDJSON.</summary>
    public static RouteGroupBuilder MapTurnsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/internal/turns").RequireAuthorization();
        group.MapPost("", RunTurn).Produces(StatusCodes.Status200OK, contentType: AgentEventStream.MediaType);
        return group;
    }

    static Results<AgentEventStream, ValidationProblem> RunTurn(AgentTurnRequest request, ITodoAgent agent, HttpContext context)
    {
        var errors = request.Validate();
        return errors.Count > 0
            ? TypedResults.ValidationProblem(errors)
            : new AgentEventStream(agent.RunTurnAsync(request, context.RequestAborted));
    }
}

/// <summary>Writes agent events as NDJSON, one line per event, flushed whenever the next one is not ready yet.</summary>
public sealed class AgentEventStream(IAsyncEnumerable<AgentEvent> events) : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    public const string MediaType = "application/x-ndjson";
    static readonly byte[] NewLine = "\n"u8.ToArray();

    /// <summary>How the stream writes JSON (default escaping); a tool's arguments and result are kept as it writes them.</summary>
    public static readonly JsonWriterOptions WriterOptions = new();

    public int? StatusCode => StatusCodes.Status200OK;
    public string ContentType => MediaType;

    public async Task ExecuteAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = MediaType;
        response.Headers.CacheControl = "no-cache";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        try
        {
            await using var enumerator = events.GetAsyncEnumerator(context.RequestAborted);
            await using var json = new Utf8JsonWriter(response.BodyWriter, WriterOptions);
            while (true)
            {
                // Flush only when the next event is not ready yet (the model or a tool is working): events produced
                // back to back go out in one write, each still as soon as nothing more is coming right away.
                var next = enumerator.MoveNextAsync();
                if (!next.IsCompleted) await response.BodyWriter.FlushAsync(context.RequestAborted);
                if (!await next) break;
                JsonSerializer.Serialize(json, enumerator.Current, AgentJsonContext.Default.AgentEvent);
                json.Flush();
                json.Reset();
                response.BodyWriter.Write(NewLine);
            }
            await response.BodyWriter.FlushAsync(context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away (the user stopped the stream); there is nobody left to tell.
        }
    }
}
