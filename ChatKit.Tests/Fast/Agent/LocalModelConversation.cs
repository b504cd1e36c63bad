using System.Text.Json;
using ChatKit.Agent.Contracts;
using ChatKit.Agent.Models;
using ChatKit.Agent.Models.Local;
using ChatKit.Agent.Tools;
using ChatKit.Agent.Turns;
using Microsoft.Extensions.AI;

namespace ChatKit.Tests.Fast.Agent;

/// <summary>
/// The local model in process, driven the way a turn drives it: <see cref="TurnPrompt"/> builds the messages from the
/// history and the new input, a function-invoking client runs the tool calls it asks for against
/// <see cref="InMemoryTaskTools"/> and feeds the results back, and the turn (user text, tool calls with their results,
/// the answer) is appended to the history as the API service stores it.
/// </summary>
public sealed class LocalModelConversation(InMemoryTaskTools tasks, string toolPrefix = "")
{
    readonly IChatClient model = new LocalChatClient().AsBuilder().UseFunctionInvocation().Build();
    readonly List<AgentHistoryEntry> history = [];

    public async Task<LocalTurn> SendAsync(string text, IReadOnlyList<AgentMention>? mentions = null)
    {
        var request = new AgentTurnRequest("thr_fast", [.. history], new AgentTurnInput(text, mentions));
        Assert.Empty(request.Validate());
        var messages = TurnPrompt.Build(request, new TurnOptions(), DateTimeOffset.UtcNow);
        var options = new ChatOptions { Tools = tasks.Tools(toolPrefix), ToolMode = ChatToolMode.Auto };

        var response = await model.GetResponseAsync(messages, options);

        var calls = response.Messages.SelectMany(m => m.Contents.OfType<FunctionCallContent>()).ToList();
        var results = response.Messages.SelectMany(m => m.Contents.OfType<FunctionResultContent>()).ToDictionary(r => r.CallId);
        history.Add(new AgentHistoryEntry("user", text));
        foreach (var call in calls)
        {
            history.Add(new AgentHistoryEntry("tool", CallId: call.CallId, Name: TaskToolset.Plain(call.Name),
                Arguments: RawJson.From(JsonSerializer.SerializeToElement(call.Arguments, AIJsonUtilities.DefaultOptions)),
                Result: RawJson.From(TaskToolset.ResultJson(results[call.CallId]))));
        }
        history.Add(new AgentHistoryEntry("assistant", response.Text));
        return new LocalTurn(calls, response.Text);
    }
}

public sealed record LocalTurn(IReadOnlyList<FunctionCallContent> Calls, string Text)
{
    public IReadOnlyList<string> ToolNames => [.. Calls.Select(c => c.Name)];
}
