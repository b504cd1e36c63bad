using ChatKit.Tests.Agent;
using ChatKit.Tests.Fast.Infrastructure;

namespace ChatKit.Tests.Fast.Agent;

/// <summary>
/// The built-in local model through the agent's turn endpoint in process, with the real task store on PostgreSQL: each row
/// seeds a fresh user's tasks, replays earlier turns, sends one utterance, and checks the tools called, the tasks afterwards,
/// the reply and its stream. A few rows (add, list, find and complete, act on a listed number); every case of the model
/// itself is a row of LocalModelTests.
/// </summary>
public sealed class LocalModelTurnTests(AgentApp fixture) : IClassFixture<AgentApp>
{
    // seed and state: tasks oldest first, "; "-separated, "[x] " = completed, " {…}" = description.
    // prior: earlier utterances of the same conversation, " | "-separated. tools: the tool calls of the last turn, in order.
    // reply: fragments the answer contains (case-insensitive), "; "-separated; "!fragment" must not appear.
    [Theory]
    [InlineData("", "", "create a task to buy groceries", "add_task", "buy groceries", "added;buy groceries")]
    [InlineData("buy milk; [x] call mom", "", "what's on my list?", "list_tasks", "buy milk; [x] call mom", "buy milk;call mom")]
    [InlineData("buy groceries; call mom", "", "mark groceries as done", "find_tasks complete_task", "[x] buy groceries; call mom", "buy groceries;done")]
    [InlineData("buy milk; call mom", "show my tasks", "delete task 1", "delete_task", "call mom", "buy milk")]
    public async Task TheLocalModelAnswersThroughTheTurnEndpointAndTheTaskStore(string seed, string prior, string utterance, string tools, string state, string reply)
    {
        var user = TaskStore.NewUser();
        var store = new TaskStore(await fixture.ConnectionStringAsync("tasksdb"));
        await store.SeedAsync(user, Split(seed, ";"));
        using var http = fixture.CreateClientFor(user, "agent");
        var conversation = new AgentConversation(http);
        foreach (var earlier in Split(prior, "|"))
        {
            await conversation.SendAsync(earlier);
        }

        var turn = await conversation.SendAsync(utterance);

        Assert.Equal(Split(tools, " "), turn.ToolCalls);
        Assert.Equal(Split(state, ";"), await store.StateAsync(user));
        var text = turn.Text;
        Assert.Equal(text, turn.Streamed);
        foreach (var fragment in Split(reply, ";"))
        {
            if (fragment.StartsWith('!')) Assert.DoesNotContain(fragment[1..], text, StringComparison.OrdinalIgnoreCase);
            else Assert.Contains(fragment, text, StringComparison.OrdinalIgnoreCase);
        }
    }

    static string[] Split(string list, string separator) =>
        list.Split(separator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
