using System.Text.Json;
using ChatKit.Tests.Infrastructure;

namespace ChatKit.Tests.Web;

/// <summary>
/// The web app in a real browser (Debian's Chromium, driven by playwright-core, nothing beyond loopback) against the
/// whole app: ChatKit.Web/tests/e2e/scenarios.mjs. Each test runs one scenario (in the collection's one browser, fresh
/// contexts for each user) and asserts every step passed.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class WebBrowserTests(WebAppFixture fixture)
{
    [Fact]
    public async Task ANewUserSignsUpSignsInCreatesATaskByChatFindsItAfterAReloadCompletesItFromTheWidgetAndASecondUserSeesNoneOfIt()
    {
        // UPDATE_SCREENSHOT=1 refreshes the screenshot kept in docs/; otherwise it goes to a temp file.
        var keep = Environment.GetEnvironmentVariable("UPDATE_SCREENSHOT") == "1";
        var screenshot = keep
            ? Path.Combine(Repository.Root, "docs", "screenshots", "chat-page.png")
            : Path.Combine(Path.GetTempPath(), $"chatkit-chat-page-{Guid.NewGuid():N}.png");
        try
        {
            var steps = await RunScenarioAsync("chat-flow", ("SCREENSHOT_PATH", screenshot));
            Assert.Contains("the widget's Complete button completes the task", steps);
            Assert.Contains("bob cannot reach alice's task or thread by id", steps);
            Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot of the chat page is missing or empty");
        }
        finally
        {
            if (!keep) File.Delete(screenshot);
        }
    }

    [Fact]
    public async Task TasksCanBeAddedCompletedAndDeletedByHandInTheTasksView()
    {
        var steps = await RunScenarioAsync("tasks-by-hand");
        Assert.Contains("carol deletes it", steps);
    }

    [Fact]
    public async Task InTheBuiltInChatAConversationStartedFromAPromptCanBeRenamedAndDeleted()
    {
        var steps = await RunScenarioAsync("history");
        Assert.Contains("she deletes it and is back at the start screen", steps);
    }

    [Fact]
    public async Task InTheBuiltInChatATaskPickedFromTheAtMentionMenuIsCompletedByTheAssistant()
    {
        var steps = await RunScenarioAsync("mentions");
        Assert.Contains("sending it completes that task", steps);
    }

    [Fact]
    public async Task TheBuiltInChatTakesOverWhenChatKitsScriptLoadsButNeverDefinesItsElement()
    {
        var steps = await RunScenarioAsync("script-timeout");
        Assert.Contains("the page waits for ChatKit, then switches to the built-in chat", steps);
    }

    [Fact]
    public async Task WhenChatKitLoadsThePagePassesItsOptionsAndAFetchThatReachesTheApiWithTheSessionToken()
    {
        var steps = await RunScenarioAsync("chatkit-options");
        Assert.Contains("ChatKit's fetch reaches the API with the session token", steps);
        Assert.Contains("a finished answer refreshes the tasks view", steps);
    }

    [Fact]
    public async Task AnMcpClientsSignInAndConsentRunInTheBrowserAndItsTaskShowsOnTheChatPage()
    {
        var steps = await RunScenarioAsync("mcp-consent");
        Assert.Contains("she allows it and the client gets a code", steps);
        Assert.Contains("the task shows on her chat page", steps);
    }

    async Task<List<string>> RunScenarioAsync(string scenario, params (string Key, string Value)[] environment)
    {
        var (output, result) = await fixture.Browser.RunAsync(scenario, environment.Select(e => new KeyValuePair<string, string>(e.Key, e.Value)));
        Assert.True(result.GetProperty("passed").GetBoolean(), $"scenario {scenario} failed:\n{output}");
        var steps = result.GetProperty("steps").EnumerateArray().ToList();
        Assert.All(steps, s => Assert.True(s.GetProperty("ok").GetBoolean(), s.ToString()));
        return steps.Select(s => s.GetProperty("title").GetString()!).ToList();
    }
}
