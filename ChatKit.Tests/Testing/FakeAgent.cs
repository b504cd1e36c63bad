using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatKit.Agent.Tools;

namespace ChatKit.Testing;

/// <summary>
/// A scriptable stand-in for the agent's turn endpoint (docs/agent-turns.md) and its task-complete call, on an
/// HttpListener at 127.0.0.1: it records every request and answers as the current test's script says, so that
/// slow, failing and cut-off agents, and the exact history the API sends, can be tested deterministically.
/// <paramref name="defaultScript"/> answers when no test has set <see cref="Script"/> (by default <see cref="DefaultScript"/>;
/// <see cref="EchoScript"/> echoes the user's text).
/// </summary>
public sealed class FakeAgent(Func<FakeTurn, Task>? defaultScript = null) : LoopbackHttpServer
{
    readonly Func<FakeTurn, Task> scriptByDefault = defaultScript ?? DefaultScript;

    /// <summary>Turn requests as received (the JSON body and the Authorization header).</summary>
    public ConcurrentQueue<(JsonElement Body, string? Authorization)> Turns { get; } = new();

    /// <summary>Turns of a service's warm-up (its reserved user), answered but not in <see cref="Turns"/>.</summary>
    public int WarmUpTurns => warmUpTurns;

    int warmUpTurns;

    /// <summary>How a turn is answered; by default a short text answer.</summary>
    public Func<FakeTurn, Task> Script { get; set; } = defaultScript ?? DefaultScript;

    /// <summary>Answers POST /api/tasks/{id}/complete; null = 404.</summary>
    public Func<long, object?> CompleteTask { get; set; } = id => new { id, title = $"task {id}", completed = true };

    /// <summary>Answers GET /api/tasks (the query's <c>q</c>, or null); by default no tasks.</summary>
    public Func<string?, object> ListTasks { get; set; } = NoTasks;

    static object NoTasks(string? query) => new { tasks = Array.Empty<object>() };

    /// <summary>Turns whose input <paramref name="held"/> picks wait for <paramref name="release"/>, then answer as usual.</summary>
    public void HoldTurns(Func<string, bool> held, Task release) => Script = async turn =>
    {
        if (held(turn.InputText)) await turn.HoldAsync(release);
        await scriptByDefault(turn);
    };

    public static async Task DefaultScript(FakeTurn turn)
    {
        await turn.SendAsync(new { type = "text_delta", delta = "Hello " });
        await turn.SendAsync(new { type = "text_delta", delta = "there." });
        await turn.SendAsync(new { type = "done", text = "Hello there.", usage = new { input_tokens = 0, output_tokens = 0 } });
    }

    /// <summary>What <see cref="EchoScript"/> answers to a message.</summary>
    public static string ReplyTo(string text) => $"Noted: {text}.";

    /// <summary>Answers <see cref="ReplyTo"/> the user's text, word by word, with its usage.</summary>
    public static async Task EchoScript(FakeTurn turn)
    {
        var reply = ReplyTo(turn.InputText);
        var words = reply.Split(' ');
        for (var i = 0; i < words.Length; i++) await turn.SendAsync(new { type = "text_delta", delta = i == 0 ? words[i] : " " + words[i] });
        await turn.SendAsync(new { type = "done", text = reply, usage = new { input_tokens = 1, output_tokens = words.Length } });
    }

    /// <summary>Waits until <paramref name="count"/> turns have arrived and returns the last one.</summary>
    public async Task<JsonElement> LastTurnAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (Turns.Count < count)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"expected {count} turns at the fake agent, got {Turns.Count}");
            await Task.Delay(20);
        }
        return Turns.ToArray()[count - 1].Body;
    }

    public void Reset()
    {
        Start();
        Turns.Clear();
        Script = scriptByDefault;
        CompleteTask = id => new { id, title = $"task {id}", completed = true };
        ListTasks = NoTasks;
    }

    protected override async Task HandleAsync(HttpListenerContext context)
    {
        var response = context.Response;
        var path = context.Request.Url!.AbsolutePath;
        if (path == "/internal/turns" && context.Request.HttpMethod == "POST")
        {
            var body = await JsonDocument.ParseAsync(context.Request.InputStream);
            var authorization = context.Request.Headers["Authorization"];
            // A replica's warm-up (started by the fixture or by a test restarting it) is no test's turn.
            if (IsWarmUp(authorization))
            {
                Interlocked.Increment(ref warmUpTurns);
                await DefaultScript(new FakeTurn(response, body.RootElement.Clone()));
                return;
            }
            Turns.Enqueue((body.RootElement.Clone(), authorization));
            await Script(new FakeTurn(response, body.RootElement.Clone()));
        }
        else if (path == "/api/tasks" && context.Request.HttpMethod == "GET")
        {
            await FakeTurn.WriteJsonAsync(response, 200, ListTasks(context.Request.QueryString["q"]));
        }
        else if (path.StartsWith("/api/tasks/", StringComparison.Ordinal) && path.EndsWith("/complete", StringComparison.Ordinal)
                 && long.TryParse(path["/api/tasks/".Length..^"/complete".Length], out var id))
        {
            if (CompleteTask(id) is { } task) await FakeTurn.WriteJsonAsync(response, 200, task);
            else response.StatusCode = 404;
        }
        else
        {
            response.StatusCode = 404;
        }
    }

    static bool IsWarmUp(string? authorization) =>
        authorization is ['B', 'e', 'a', 'r', 'e', 'r', ' ', .. var token] && token.Split('.') is [_, var payload, _]
        && JsonDocument.Parse(Convert.FromBase64String(Padded(payload.Replace('-', '+').Replace('_', '/'))))
            .RootElement.TryGetProperty("sub", out var sub) && sub.GetString() == Microsoft.Extensions.Hosting.WarmUp.UserId;

    static string Padded(string base64) => base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
}

/// <summary>One turn being answered: NDJSON lines flushed one by one, or a plain status.</summary>
public sealed class FakeTurn(HttpListenerResponse response, JsonElement body)
{
    /// <summary>The turn request as the API sent it.</summary>
    public JsonElement Body { get; } = body;

    /// <summary>The user's text of this turn.</summary>
    public string InputText => Body.GetProperty("input").GetProperty("text").GetString() ?? "";

    bool started;

    /// <summary>
    /// Sends one event. A tool event is completed as the real agent completes the model's: a <c>tool_call</c> gets its
    /// <c>display</c> and a task list result its <c>task_list</c>, from the agent's own <see cref="ToolViews"/>, unless
    /// the script gives them.
    /// </summary>
    public Task SendAsync(object agentEvent) => SendRawAsync(AsTheAgentSendsIt(JsonSerializer.SerializeToNode(agentEvent)!.AsObject()) + "\n");

    public async Task SendRawAsync(string text)
    {
        if (!started)
        {
            started = true;
            response.StatusCode = 200;
            response.ContentType = "application/x-ndjson";
            response.SendChunked = true;
        }
        await response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(text));
        await response.OutputStream.FlushAsync();
    }

    /// <summary>
    /// Keeps the turn open until <paramref name="until"/> completes, sending an empty text delta (which the API skips)
    /// every quarter second so that the API's idle timeout (1.5 s in ApiApp and ScaleOutFixture) does not end it first, even
    /// on a loaded machine.
    /// </summary>
    public async Task HoldAsync(Task until, TimeSpan? atMost = null)
    {
        var deadline = DateTime.UtcNow + (atMost ?? TimeSpan.FromSeconds(60));
        while (!until.IsCompleted && DateTime.UtcNow < deadline)
        {
            await SendAsync(new { type = "text_delta", delta = "" });
            await Task.WhenAny(until, Task.Delay(250));
        }
    }

    static string AsTheAgentSendsIt(JsonObject agentEvent)
    {
        var name = (string?)agentEvent["name"] ?? "";
        switch ((string?)agentEvent["type"])
        {
            case "tool_call" when !agentEvent.ContainsKey("display"):
                var (icon, text) = ToolViews.Progress(name, JsonSerializer.SerializeToElement(agentEvent["arguments"]));
                agentEvent["display"] = new JsonObject { ["icon"] = icon, ["text"] = text };
                break;
            case "tool_result" when !agentEvent.ContainsKey("task_list")
                                    && ToolViews.ShowsTaskList(name, JsonSerializer.SerializeToElement(agentEvent["result"])):
                var tasks = agentEvent["result"]!["tasks"]!.AsArray();
                agentEvent["task_list"] = new JsonObject
                {
                    ["tasks"] = tasks.DeepClone(),
                    ["total"] = Math.Max((int?)agentEvent["result"]!["total"] ?? 0, tasks.Count),
                };
                break;
        }
        return agentEvent.ToJsonString();
    }

    public Task StatusAsync(int status) => WriteJsonAsync(response, status, new { title = "failed" });

    /// <summary>Cuts the connection without a final event.</summary>
    public void Abort() => response.Abort();

    public static Task WriteJsonAsync(HttpListenerResponse response, int status, object body) =>
        LoopbackHttpServer.WriteJsonAsync(response, status, body);

}
