using System.ClientModel;
using System.ComponentModel;
using System.Text.Json.Nodes;
using ChatKit.Agent.Models;
using ChatKit.Testing;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;

namespace ChatKit.Tests.Fast.Agent;

/// <summary>
/// The tools' OpenAI definitions built once (<see cref="OpenAIToolDefinitions"/>) must reach the provider exactly as
/// Microsoft.Extensions.AI's OpenAI client builds them on every call: the same request, tool for tool.
/// </summary>
public sealed class OpenAIToolDefinitionsTests : IDisposable
{
    readonly FakeOpenAIServer model = new();
    readonly IChatClient provider;

    public OpenAIToolDefinitionsTests()
    {
        model.Start();
        provider = new OpenAIClient(new ApiKeyCredential("test-key"), new OpenAIClientOptions { Endpoint = new Uri(model.BaseUrl) })
            .GetChatClient("fake-model").AsIChatClient();
    }

    public static TheoryData<string> ToolModes => ["default", "auto", "none", "required", "required add_task"];

    [Theory]
    [MemberData(nameof(ToolModes))]
    public async Task TheRequestIsTheOneTheProvidersClientBuilds(string mode)
    {
        var options = new ChatOptions
        {
            Tools = Tools("Adds a task."),
            ToolMode = mode switch
            {
                "auto" => ChatToolMode.Auto,
                "none" => ChatToolMode.None,
                "required" => ChatToolMode.RequireAny,
                "required add_task" => ChatToolMode.RequireSpecific("add_task"),
                _ => null,
            },
            AllowMultipleToolCalls = mode == "none" ? false : null,
        };

        var plain = await SendAsync(provider, options);
        var prebuilt = await SendAsync(new OpenAIToolDefinitions(provider), options);

        Assert.Equal(2, plain["tools"]!.AsArray().Count);
        foreach (var field in new[] { "tools", "tool_choice", "parallel_tool_calls", "messages", "model" })
        {
            Assert.Equal(plain[field]?.ToJsonString(), prebuilt[field]?.ToJsonString());
        }
    }

    [Fact]
    public void EachToolIsBuiltOnceAndAgainOnlyWhenItChanges()
    {
        var definitions = new OpenAIToolDefinitions(provider);

        var first = ToolsOf(definitions.WithPrebuiltTools(new ChatOptions { Tools = Tools("Adds a task.") }));
        var second = ToolsOf(definitions.WithPrebuiltTools(new ChatOptions { Tools = Tools("Adds a task.") }));
        var changed = ToolsOf(definitions.WithPrebuiltTools(new ChatOptions { Tools = Tools("Adds a task to the list.") }));

        Assert.Same(first[0], second[0]);
        Assert.Same(first[1], second[1]);
        Assert.NotSame(first[0], changed[0]);
        Assert.Contains("to the list", changed[0].FunctionDescription);
    }

    [Fact]
    public void RequestsItCannotBuildForPassThroughUnchanged()
    {
        var definitions = new OpenAIToolDefinitions(provider);
        ChatOptions[] unchanged =
        [
            new(),
            new() { Tools = [.. Tools("Adds a task."), new HostedWebSearchTool()] },
            new() { Tools = Tools("Adds a task."), AdditionalProperties = new() { ["strict"] = true } },
            new() { Tools = Tools("Adds a task."), RawRepresentationFactory = _ => new ChatCompletionOptions() },
        ];

        Assert.All(unchanged, options => Assert.Same(options, definitions.WithPrebuiltTools(options)));
        Assert.Null(definitions.WithPrebuiltTools(null));
    }

    /// <summary>New function objects on every call, as each turn makes its own.</summary>
    static List<AITool> Tools(string addDescription) =>
    [
        AIFunctionFactory.Create(([Description("What to do")] string title, [Description("When, ISO 8601")] string? due) => "ok",
            "add_task", addDescription),
        AIFunctionFactory.Create((bool includeCompleted) => "[]", "list_tasks", "Lists the tasks."),
    ];

    static IList<ChatTool> ToolsOf(ChatOptions? options)
    {
        Assert.NotNull(options);
        Assert.Null(options.Tools);
        return ((ChatCompletionOptions)options.RawRepresentationFactory!(null!)!).Tools;
    }

    async Task<JsonObject> SendAsync(IChatClient client, ChatOptions options)
    {
        model.Reset(_ => FakeReply.Text("Done."));
        await foreach (var _ in client.GetStreamingResponseAsync("add buy milk", options)) { }
        return Assert.Single(model.Requests).Body;
    }

    public void Dispose() => model.Dispose();
}
