using System.Text.Json;
using ChatKit.ServiceDefaults.Auth;
using ChatKit.Testing;
using ChatKit.Tests.Fast.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static ChatKit.Tests.Infrastructure.ChatKitCalls;

namespace ChatKit.Tests.Fast.Agent;

/// <summary>
/// The warm-up's turns run the provider's client path against an in-memory stand-in (docs/benchmarks.md, "A person in
/// the crowd"): the agent here is configured for an OpenAI-compatible provider (a fake one on loopback) and must not send
/// it the warm-up user's turns, while a person's turns go to it.
/// </summary>
public sealed class WarmUpModelTests(OpenAIAgentApp app) : IClassFixture<OpenAIAgentApp>
{
    [Fact]
    public async Task TheWarmUpUsersTurnRunsTheProvidersClientAnsweredInMemoryAndNeverReachesTheProvider()
    {
        app.Model.Reset(_ => FakeReply.Text("From the provider."));
        var session = app.Services.GetRequiredService<ChatKitSessionTokens>().Create(WarmUp.UserId);
        using var http = app.CreateAnonymousClient().WithToken(session.ClientSecret);

        var events = await TurnAsync(http, "what's on my list?");

        Assert.Equal(["tool_call", "tool_result"], events.Take(2).Select(e => e.GetProperty("type").GetString()));
        Assert.Equal("list_tasks", events[0].GetProperty("name").GetString());
        Assert.Equal("done", events[^1].GetProperty("type").GetString());
        // The stand-in's answer, parsed by the OpenAI client from its stream, and its usage from both calls.
        Assert.Equal("Your list is empty for now.", events[^1].GetProperty("text").GetString());
        Assert.Equal(2, events[^1].GetProperty("usage").GetProperty("input_tokens").GetInt64());
        Assert.Empty(app.Model.Requests);
    }

    [Fact]
    public async Task APersonsTurnGoesToTheConfiguredProvider()
    {
        app.Model.Reset(_ => FakeReply.Text("From the provider."));
        using var http = app.ClientFor(NewUser("provider-user"));

        var events = await TurnAsync(http, "what's on my list?");

        Assert.Equal("From the provider.", events[^1].GetProperty("text").GetString());
        Assert.Single(app.Model.Requests);
    }

    static async Task<List<JsonElement>> TurnAsync(HttpClient http, string text)
    {
        using var response = await http.PostAsJsonAsync("/internal/turns", new { thread_id = "thr_warm", history = Array.Empty<object>(), input = new { text } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        return [.. body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];
    }
}
