using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatKit.ApiService.ChatKit;

/// <summary>
/// The turns of the API's warm-up (<see cref="WarmUp"/>): a new thread and a follow-up through <c>POST /api/chatkit</c>,
/// streamed, so that the whole turn path (SSE, the agent hop, the store's statements) is compiled before the first
/// burst. The agent answers the warm-up user without reaching the provider (an in-memory stand-in for it, or its
/// local model); the thread is deleted afterwards.
/// </summary>
public static class ChatKitWarmUp
{
    public static async Task TurnsAsync(HttpClient http, IServiceProvider services, CancellationToken ct)
    {
        var created = Read(await SendAsync(http, services, Request("threads.create", null, "What's on my list?"), ct));
        var threadId = created.ThreadId ?? throw new InvalidOperationException("The warm-up turn created no thread.");
        try
        {
            ThrowOnError(created.Error);
            ThrowOnError(Read(await SendAsync(http, services, Request("threads.add_user_message", threadId, "Thanks!"), ct)).Error);
        }
        finally
        {
            await SendAsync(http, services, Request("threads.delete", threadId, null), CancellationToken.None);
        }
    }

    static Task<string> SendAsync(HttpClient http, IServiceProvider services, string json, CancellationToken ct) =>
        WarmUp.SendAsync(http, WarmUp.WithToken(services, new HttpRequestMessage(HttpMethod.Post, "/api/chatkit")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        }), ct);

    static string Request(string type, string? threadId, string? text)
    {
        var parameters = new JsonObject();
        if (threadId is not null) parameters["thread_id"] = threadId;
        if (text is not null)
        {
            parameters["input"] = new JsonObject
            {
                ["content"] = new JsonArray(new JsonObject { ["type"] = "input_text", ["text"] = text }),
                ["attachments"] = new JsonArray(),
                ["inference_options"] = new JsonObject(),
            };
        }
        return new JsonObject { ["type"] = type, ["params"] = parameters }.ToJsonString();
    }

    /// <summary>The thread id of a stream's <c>thread.created</c> event and its <c>error</c> event, if any.</summary>
    static (string? ThreadId, string? Error) Read(string stream)
    {
        string? threadId = null;
        foreach (var line in stream.Split('\n'))
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
            using var data = JsonDocument.Parse(line.AsMemory(6));
            switch (data.RootElement.GetProperty("type").GetString())
            {
                case "thread.created":
                    threadId = data.RootElement.GetProperty("thread").GetProperty("id").GetString();
                    break;
                case "error":
                    return (threadId, line);
            }
        }
        return (threadId, null);
    }

    /// <summary>
    /// Fails the step when the turn ended with an <c>error</c> event (the agent refused or failed): the warm-up would
    /// otherwise count a turn that compiled the error path as done.
    /// </summary>
    static void ThrowOnError(string? error)
    {
        if (error is not null) throw new InvalidOperationException("The warm-up turn ended with an error event: " + error);
    }
}
