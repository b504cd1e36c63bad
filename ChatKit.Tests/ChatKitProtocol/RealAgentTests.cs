using System.Text.Json;
using ChatKit.Tests.Infrastructure;
using static ChatKit.Tests.Infrastructure.ChatKitCalls;

namespace ChatKit.Tests.ChatKitProtocol;

/// <summary>The ChatKit protocol end to end with the real agent and its local model: mentions, the task widget, history.</summary>
[Collection(AppCollection.Name)]
public sealed class RealAgentTests(AppFixture fixture)
{
    [Fact]
    public async Task AMentionedTaskIsCompletedByItsId()
    {
        using var http = fixture.CreateClientFor(NewUser("mention"));
        var milk = await CreateTaskAsync(http, "buy milk");
        var oatMilk = await CreateTaskAsync(http, "buy oat milk");

        var entities = await http.GetFromJsonAsync<JsonElement>("/api/chatkit/entities/search?q=oat");
        var entity = Assert.Single(entities.GetProperty("entities").EnumerateArray());

        // What the composer sends after the user picked the entity from the @-menu.
        var events = await http.ChatKitStreamAsync("threads.create", new
        {
            input = new Dictionary<string, object>
            {
                ["content"] = new object[]
                {
                    new { type = "input_text", text = "complete " },
                    new
                    {
                        type = "input_tag", id = entity.GetProperty("id").GetString(), text = entity.GetProperty("title").GetString(),
                        data = entity.GetProperty("data"), group = entity.GetProperty("group").GetString(), interactive = false,
                    },
                },
                ["attachments"] = Array.Empty<string>(),
                ["inference_options"] = new { },
            },
        });
        Assert.Contains("buy oat milk", events.AssistantText());
        Assert.Contains(events, e => e.Type() == "progress_update" && e.GetProperty("text").GetString()!.StartsWith("Completing"));

        Assert.True(await IsCompletedAsync(http, oatMilk));
        Assert.False(await IsCompletedAsync(http, milk));
    }

    [Fact]
    public async Task TheTaskWidgetsCompleteButtonCompletesTheTaskThroughTheAgent()
    {
        using var http = fixture.CreateClientFor(NewUser("widget"));
        var bread = await CreateTaskAsync(http, "bake bread");
        await CreateTaskAsync(http, "water plants");

        var events = await http.ChatKitStreamAsync("threads.create", new { input = Input("show my tasks") });
        var widgetItem = events.Single(e => e.Type() == "thread.item.done" && e.GetProperty("item").Type() == "widget").GetProperty("item");
        var rows = widgetItem.GetProperty("widget").GetProperty("children").EnumerateArray().ToList();
        Assert.Equal(2, rows.Count);
        var breadRow = rows.Single(r => r.GetProperty("key").GetString() == $"task_{bread}");
        var action = Json.Find(breadRow, "Button").GetProperty("onClickAction");

        var replaced = await http.ChatKitStreamAsync("threads.custom_action", new
        {
            thread_id = events.ThreadId(), item_id = widgetItem.GetProperty("id").GetString(), action,
        });
        Assert.Equal(["stream_options", "thread.item.replaced"], Sequence(replaced));
        Assert.True(await IsCompletedAsync(http, bread));

        // The next turn knows: the model saw the click as a tool call in the history.
        var followUp = await http.ChatKitStreamAsync("threads.add_user_message", new { thread_id = events.ThreadId(), input = Input("what is left to do?") });
        Assert.Contains("water plants", followUp.AssistantText());
        Assert.DoesNotContain("bake bread", followUp.AssistantText());
    }

    [Fact]
    public async Task AnotherUsersTasksCannotBeCompletedFromAWidget()
    {
        using var alice = fixture.CreateClientFor(NewUser("alice"));
        using var bob = fixture.CreateClientFor(NewUser("bob"));
        var alicesTask = await CreateTaskAsync(alice, "alice's task");
        await CreateTaskAsync(bob, "bob's task");
        var events = await bob.ChatKitStreamAsync("threads.create", new { input = Input("show my tasks") });
        var widgetId = events.Single(e => e.Type() == "thread.item.done" && e.GetProperty("item").Type() == "widget")
            .GetProperty("item").GetProperty("id").GetString();

        var attempt = await bob.ChatKitStreamAsync("threads.custom_action", new
        {
            thread_id = events.ThreadId(), item_id = widgetId, action = new { type = "complete_task", payload = new { task_id = alicesTask } },
        });
        Assert.Equal(["stream_options", "error"], Sequence(attempt));
        Assert.False(await IsCompletedAsync(alice, alicesTask));
    }

    static async Task<long> CreateTaskAsync(HttpClient http, string title)
    {
        using var response = await http.PostAsJsonAsync("/api/tasks", new { title });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    static async Task<bool> IsCompletedAsync(HttpClient http, long id) =>
        (await http.GetFromJsonAsync<JsonElement>($"/api/tasks/{id}")).GetProperty("completed").GetBoolean();
}
