using System.Globalization;

namespace ChatKit.ApiService.Infrastructure;

/// <summary>
/// A request the API refuses, with its HTTP status and a stable <c>code</c>: the one exception type handlers throw.
/// <see cref="ApiErrorHandler"/> answers it as RFC 7807 problem details; once a stream has started,
/// <c>SseEventSink.FailAsync</c> sends it as an <c>error</c> event.
/// </summary>
public class ApiError(int status, string code, string message, Exception? inner = null) : Exception(message, inner)
{
    public int Status { get; } = status;
    public string Code { get; } = code;

    /// <summary>When the client may try again (429), sent as <c>Retry-After</c>.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The request field at fault (a JSON path such as <c>params.input.quoted_text</c>), when there is one.</summary>
    public string? Field { get; init; }

    /// <summary>Whether sending the same request again may succeed (a stream's <c>error</c> event says so).</summary>
    public virtual bool Retryable => Status >= 500;

    /// <summary>More members of the problem details (the REST message endpoint names the saved message).</summary>
    public IReadOnlyDictionary<string, object?>? Extensions { get; init; }

    public static ApiError BadRequest(string code, string message) => new(StatusCodes.Status400BadRequest, code, message);

    /// <summary>A 400 for a field over its limit; the message says which field and what the limit is.</summary>
    public static ApiError TooLarge(string code, string field, string message) =>
        new(StatusCodes.Status400BadRequest, code, message) { Field = field };

    public static ApiError NotFound(string what) => new(StatusCodes.Status404NotFound, "not_found", $"{what} was not found.");

    public static ApiError Conflict(string code, string message) => new(StatusCodes.Status409Conflict, code, message);

    public static ApiError TooManyRequests(string code, string message, TimeSpan retryAfter) =>
        new(StatusCodes.Status429TooManyRequests, code, message) { RetryAfter = retryAfter };

    /// <summary>The user's cap of turns in flight is reached (this replica's limiter, or all replicas' leases).</summary>
    public static ApiError TooManyTurns(int cap) => TooManyRequests("too_many_turns",
        $"You already have {cap} messages being answered; wait for one to finish.", TurnRetryAfter);

    /// <summary>A turn with a hosted model takes seconds; this is when a refused one is worth trying again.</summary>
    public static readonly TimeSpan TurnRetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>The refusal an exception stands for; null for a genuine server error (500).</summary>
    public static ApiError? From(Exception exception) => exception switch
    {
        ApiError error => error,
        BadHttpRequestException bad => new ApiError(bad.StatusCode, "bad_request", bad.Message),
        Npgsql.NpgsqlException { IsTransient: true } or TimeoutException =>
            new ApiError(StatusCodes.Status503ServiceUnavailable, "storage_unavailable", "The conversation store is unavailable; please try again."),
        _ => null,
    };

    /// <summary>The problem details members beyond the standard ones.</summary>
    public Dictionary<string, object?> ProblemExtensions()
    {
        var all = new Dictionary<string, object?> { ["code"] = Code };
        if (Field is not null) all["field"] = Field;
        if (Extensions is not null) foreach (var (key, value) in Extensions) all[key] = value;
        return all;
    }

    /// <summary>Headers that go with the status (<c>Retry-After</c>); call before the response starts.</summary>
    public void AddHeaders(HttpResponse response)
    {
        if (RetryAfter is { } retryAfter)
        {
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }
    }
}
