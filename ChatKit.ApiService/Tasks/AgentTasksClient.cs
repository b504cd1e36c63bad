using System.Net.Http.Headers;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace ChatKit.ApiService.Tasks;

/// <summary>
/// Forwards a tasks request to the agent (service discovery name <c>agent</c>) with the caller's own token, which the
/// agent validates again, and hands back the agent's status, headers and problem bodies unchanged.
/// </summary>
public sealed class AgentTasksClient(HttpClient http, ILogger<AgentTasksClient> logger)
{
    static readonly string[] ForwardedResponseHeaders = ["Location", "WWW-Authenticate", "Retry-After"];

    public async Task<IResult> ForwardAsync(HttpRequest request, string bearerToken, CancellationToken ct)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Path + request.QueryString);
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        if (HttpMethods.IsPost(request.Method) || HttpMethods.IsPatch(request.Method) || HttpMethods.IsPut(request.Method))
        {
            // Read here, under this endpoint's body size limit (an oversized body is a 413, not an agent failure).
            var body = new MemoryStream();
            await request.Body.CopyToAsync(body, ct);
            message.Content = new ByteArrayContent(body.ToArray());
            if (MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType))
            {
                message.Content.Headers.ContentType = contentType;
            }
        }

        try
        {
            using var response = await http.SendAsync(message, ct);
            var headers = ForwardedResponseHeaders
                .Select(name => (name, values: response.Headers.TryGetValues(name, out var v) ? v : []))
                .Where(header => header.values.Any())
                .ToDictionary(header => header.name, header => string.Join(", ", header.values));
            return new AgentResponse((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(),
                await response.Content.ReadAsByteArrayAsync(ct), headers);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or BrokenCircuitException
                                   || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            logger.LogWarning("The agent did not answer {Method} {Path}: {Error}", request.Method, request.Path, ex.GetType().Name);
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "The task service is unavailable.", detail: "The agent did not answer; try again shortly.");
        }
    }

    /// <summary>The agent's answer as it came; an empty error body gets problem details from UseStatusCodePages.</summary>
    sealed class AgentResponse(int status, string? contentType, byte[] body, Dictionary<string, string> headers) : IResult
    {
        public async Task ExecuteAsync(HttpContext context)
        {
            context.Response.StatusCode = status;
            foreach (var (name, value) in headers)
            {
                context.Response.Headers[name] = value;
            }
            if (body.Length > 0)
            {
                context.Response.ContentType = contentType;
                context.Response.ContentLength = body.Length;
                await context.Response.Body.WriteAsync(body, context.RequestAborted);
            }
        }
    }
}
