using System.Net.Http.Headers;
using System.Text.Json;
using ChatKit.Tests.Agent;
using ChatKit.Tests.Infrastructure;
using static ChatKit.Tests.Infrastructure.ChatKitCalls;

namespace ChatKit.Tests.Web;

/// <summary>
/// The web app's traces (the fixture points the web app, the API and the agent at one OTLP receiver, as the AppHost
/// points them at the dashboard): a chat turn is one trace from the web app's request through the API, the agent and
/// PostgreSQL; Better Auth's queries are spans of the request that made them; health probes are not traced.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class WebTracingTests(WebAppFixture fixture)
{
    static readonly TimeSpan ExportTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AChatTurnThroughTheWebAppIsOneTraceFromItsRequestThroughTheApiTheAgentAndPostgres()
    {
        var http = await SignedInAsync("tracy");
        // A query the proxy passes on and Next.js records on its request span (http.target): this turn's request.
        var marker = Guid.NewGuid().ToString("N");
        using var turn = await http.PostAsync($"/api/chatkit?turn={marker}",
            JsonContent.Create(new Dictionary<string, object> { ["type"] = "threads.create", ["params"] = new { input = Input("add buy milk") } }));
        Assert.True(turn.IsSuccessStatusCode, $"{turn.StatusCode}: {await turn.Content.ReadAsStringAsync()}");
        Assert.Contains(await ReadEventsAsync(turn), e => e.Type() == "thread.created");

        OtlpSpan? Root(IReadOnlyList<OtlpSpan> spans) => spans.FirstOrDefault(s =>
            s.Service == "web" && s.Attributes.GetValueOrDefault("http.target", "").Contains(marker));
        // Complete when the request spans of all three have arrived (they end with the stream, the queries before) and
        // every span's parent has too.
        bool Complete(IReadOnlyList<OtlpSpan> spans)
        {
            if (Root(spans) is not { } root) return false;
            var trace = spans.Where(s => s.TraceId == root.TraceId).ToList();
            var ids = trace.Select(s => s.SpanId).ToHashSet();
            return trace.Any(s => s.Service == "web" && s.Kind == OtlpSpan.Client)
                && trace.Any(s => s.Service == "apiservice" && s.Kind == OtlpSpan.Server)
                && trace.Any(s => s.Service == "agent" && s.Kind == OtlpSpan.Server)
                && trace.All(s => s.IsRoot || ids.Contains(s.ParentSpanId));
        }
        var all = await fixture.Telemetry.SpansAsync(Complete, ExportTimeout);

        var root = Root(all);
        Assert.True(root is not null, $"no span of the web app's request among:\n{string.Join('\n', all.Where(s => s.Service == "web").Take(40))}");
        var trace = all.Where(s => s.TraceId == root.TraceId).ToList();
        var shown = string.Join('\n', trace);
        // It starts at the web app: its request span has no parent.
        Assert.True(root.IsRoot, shown);
        Assert.Equal(OtlpSpan.Server, root.Kind);
        Assert.StartsWith("POST /api/chatkit", root.Name);
        // The proxy hop is a client span of the web app, and the API's request span is its child (W3C traceparent).
        var hop = One(trace, s => s.Service == "web" && s.Kind == OtlpSpan.Client, "the web app's call to the API");
        var api = One(trace, s => s.Service == "apiservice" && s.Kind == OtlpSpan.Server, "the API's request");
        Assert.Equal(hop.SpanId, api.ParentSpanId);
        // The API calls the agent in the same trace, and both query PostgreSQL in it.
        var agent = One(trace, s => s.Service == "agent" && s.Kind == OtlpSpan.Server, "the agent's request");
        Assert.Contains(trace, s => s.Service == "apiservice" && s.Kind == OtlpSpan.Client && s.SpanId == agent.ParentSpanId);
        Assert.Contains(trace, s => s.Service == "apiservice" && s.Scope == "Npgsql");
        Assert.Contains(trace, s => s.Service == "agent" && s.Scope == "Npgsql");
        // Every span of the trace hangs from another span of it: nothing was cut off on the way.
        var ids = trace.Select(s => s.SpanId).ToHashSet();
        Assert.All(trace.Where(s => s != root), s => Assert.True(ids.Contains(s.ParentSpanId), $"{s} has no parent in the trace:\n{shown}"));
    }

    [Fact]
    public async Task BetterAuthsQueriesAreSpansOfTheWebAppsRequestAndHealthProbesAreNotTraced()
    {
        await SignedInAsync("paige");

        bool SignUpQueried(IReadOnlyList<OtlpSpan> spans) => spans.Any(root => root.Service == "web" && root.IsRoot
            && root.Attributes.GetValueOrDefault("http.target", "") == "/api/auth/sign-up/email"
            && spans.Any(s => s.TraceId == root.TraceId && s.Service == "web" && s.Scope.Contains("instrumentation-pg")));
        var spans = await fixture.Telemetry.SpansAsync(SignUpQueried, ExportTimeout);

        Assert.True(SignUpQueried(spans),
            $"no sign-up trace with Better Auth's queries among:\n{string.Join('\n', spans.Where(s => s.Service == "web").Take(60))}");
        // The AppHost polls /api/health every few seconds; none of those requests is a trace.
        Assert.DoesNotContain(spans, s => s.Service == "web" && s.Attributes.GetValueOrDefault("http.target", "").StartsWith("/api/health"));
        // Every trace of the web app starts at a request (no module loading or start-up query of its own).
        Assert.All(spans.Where(s => s.Service == "web" && s.IsRoot), s => Assert.Equal(OtlpSpan.Server, s.Kind));
    }

    static OtlpSpan One(List<OtlpSpan> trace, Func<OtlpSpan, bool> match, string what)
    {
        var found = trace.Where(match).ToList();
        Assert.True(found.Count == 1, $"{found.Count} spans of {what} in the trace:\n{string.Join('\n', trace)}");
        return found[0];
    }

    /// <summary>A new user signed up through the web app, with the ChatKit session token (through the proxy) as the page does.</summary>
    async Task<HttpClient> SignedInAsync(string name)
    {
        var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = fixture.WebUrl };
        http.DefaultRequestHeaders.Add("Origin", fixture.WebUrl.GetLeftPart(UriPartial.Authority));
        var signUp = await http.PostAsJsonAsync("/api/auth/sign-up/email",
            new { email = $"{name}-{Guid.NewGuid():N}@example.test", password = "correct horse battery", name });
        Assert.True(signUp.IsSuccessStatusCode, $"sign-up: {signUp.StatusCode} {await signUp.Content.ReadAsStringAsync()}");
        var token = JsonDocument.Parse(await http.GetStringAsync("/api/auth/token")).RootElement.GetProperty("token").GetString();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/chatkit/session");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var session = await http.SendAsync(request);
        Assert.True(session.IsSuccessStatusCode, $"session: {session.StatusCode} {await session.Content.ReadAsStringAsync()}");
        var secret = JsonDocument.Parse(await session.Content.ReadAsStringAsync()).RootElement.GetProperty("client_secret").GetString();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return http;
    }
}
