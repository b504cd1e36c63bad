using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using ChatKit.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ChatKit.Tests.Auth;

[Collection(AppCollection.Name)]
public sealed class EdgeProtectionTests(AppFixture fixture)
{
    [Fact]
    public async Task WritesBeyondThePerUserLimitGet429WithRetryAfter()
    {
        var user = "busy-" + Guid.NewGuid().ToString("N")[..8];
        using var client = fixture.CreateClientFor(user);

        // The default limit is 100 writes per user per 10 s; minting session tokens is the cheapest write.
        var responses = await Task.WhenAll(Enumerable.Range(0, 130).Select(_ => client.PostAsync("/api/chatkit/session", null)));

        Assert.InRange(responses.Count(r => r.StatusCode == HttpStatusCode.OK), 1, 100);
        var throttled = responses.First(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.InRange(throttled.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        Assert.Equal("application/problem+json", throttled.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.PostAsJsonAsync("/api/tasks", new { title = "one more" })).StatusCode);

        // Reads are not limited, and other users are not affected.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/tasks")).StatusCode);
        using var other = fixture.CreateClientFor("calm-" + Guid.NewGuid().ToString("N")[..8]);
        Assert.Equal(HttpStatusCode.OK, (await other.PostAsync("/api/chatkit/session", null)).StatusCode);
    }

    [Theory]
    [InlineData("https://cdn.platform.openai.com", "/api/tasks", "POST")]
    [InlineData("https://cdn.platform.openai.com", "/api/chatkit/session", "POST")]
    [InlineData(AppFixture.FrontEndOrigin, "/api/tasks/1", "PATCH")]
    [InlineData(AppFixture.FrontEndOrigin, "/api/chatkit/refresh", "POST")]
    public async Task CorsPreflightsFromTheFrontEndAndChatKitsFrameAreAllowed(string origin, string path, string method)
    {
        using var client = fixture.CreateClient();

        var response = await client.SendAsync(Preflight(origin, path, method));

        Assert.True(response.IsSuccessStatusCode, response.StatusCode.ToString());
        Assert.Equal(origin, Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains(method, string.Join(",", response.Headers.GetValues("Access-Control-Allow-Methods")));
        Assert.Contains("authorization", string.Join(",", response.Headers.GetValues("Access-Control-Allow-Headers")).ToLowerInvariant());
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task CorsPreflightsFromOtherOriginsAreNotAllowed()
    {
        using var client = fixture.CreateClient();

        var response = await client.SendAsync(Preflight("https://evil.example", "/api/tasks", "POST"));

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task A401CarriesCorsHeadersSoTheBrowserCanReadIt()
    {
        using var client = fixture.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/tasks");
        request.Headers.Add("Origin", "https://cdn.platform.openai.com");

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("https://cdn.platform.openai.com", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
    }

    [Fact]
    public async Task RejectedTokensAreLoggedWithoutTheTokenItself()
    {
        var marker = Random.Shared.NextInt64(1_000_000_000, long.MaxValue);
        var token = TestTokens.BetterAuth("leaky-" + marker, key: TestKeys.EdDsa, issuer: "http://evil.example");
        using var client = fixture.CreateClient().WithToken(token);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync($"/api/tasks/{marker}")).StatusCode);

        var lines = await LogLinesUntilAsync("apiservice", line => line.Contains($"/api/tasks/{marker}"));

        var rejection = Assert.Single(lines, line => line.Contains($"/api/tasks/{marker}"));
        Assert.Contains("Rejected", rejection);
        Assert.DoesNotContain(lines, line => line.Contains(token.Split('.')[1]) || line.Contains(token.Split('.')[2]));
    }

    async Task<List<string>> LogLinesUntilAsync(string resource, Func<string, bool> found)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var loggers = fixture.App.Services.GetRequiredService<ResourceLoggerService>();
        var model = fixture.App.Services.GetRequiredService<DistributedApplicationModel>();
        var lines = new List<string>();
        await foreach (var batch in loggers.WatchAsync(model.Resources.Single(r => r.Name == resource)).WithCancellation(cts.Token))
        {
            lines.AddRange(batch.Select(line => line.Content));
            if (lines.Any(found)) break;
        }
        return lines;
    }

    static HttpRequestMessage Preflight(string origin, string path, string method)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        return request;
    }
}
