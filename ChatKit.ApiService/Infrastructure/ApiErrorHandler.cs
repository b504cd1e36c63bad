using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace ChatKit.ApiService.Infrastructure;

/// <summary>
/// The service's one mapping from exceptions to responses: an <see cref="ApiError"/> (or what stands for one, see
/// <see cref="ApiError.From"/>) thrown by any endpoint becomes its problem details; anything else is left to the
/// exception handler middleware, which logs it and answers 500.
/// </summary>
public sealed class ApiErrorHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (ApiError.From(exception) is not { } error || http.Response.HasStarted) return false;
        http.Response.StatusCode = error.Status;
        error.AddHeaders(http.Response);
        var problem = new ProblemDetails { Status = error.Status, Detail = error.Message };
        foreach (var (key, value) in error.ProblemExtensions()) problem.Extensions[key] = value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }
}
