using System.Net.Http.Headers;
using ChatKit.ServiceDefaults.Auth;

namespace ChatKit.ApiService.Agent;

/// <summary>
/// Sends the current request's bearer token with every call to the agent, which validates it again: the agent acts
/// for the token's user and nothing else names one. A call made outside a request goes without a token (and the agent
/// refuses it).
/// </summary>
public sealed class CallerTokenHandler(IHttpContextAccessor accessor) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (accessor.HttpContext is { } context && CurrentUser.BearerTokenOf(context.Request) is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return base.SendAsync(request, cancellationToken);
    }
}
