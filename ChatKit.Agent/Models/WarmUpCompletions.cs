using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ChatKit.Agent.Tools;

namespace ChatKit.Agent.Models;

/// <summary>
/// The provider's stand-in during the service's warm-up: the primary handler of the warm-up's own model HttpClient,
/// which answers chat completion requests in memory, streamed as OpenAI streams them (a <c>list_tasks</c> call, then
/// after the tool's result a short answer and the usage). The warm-up's turns then run the provider's whole client
/// path (the OpenAI SDK, the resilience pipeline, the tools' definitions, the stream's parsing), which a burst would
/// otherwise compile while people wait (docs/benchmarks.md), and never reach the provider.
/// </summary>
sealed class WarmUpCompletions : HttpMessageHandler
{
    static readonly string[] Answer = ["Your ", "list ", "is ", "empty ", "for ", "now."];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = JsonNode.Parse(await request.Content!.ReadAsStreamAsync(cancellationToken));
        var model = body?["model"]?.GetValue<string>() ?? "warm-up";
        var afterTool = body?["messages"]?.AsArray() is [.., { } last] && last["role"]?.GetValue<string>() == "tool";
        var chunks = afterTool ? AnswerChunks(model) : ToolCallChunks(model);
        var stream = new StringBuilder();
        foreach (var chunk in chunks) stream.Append("data: ").Append(chunk.ToJsonString()).Append("\n\n");
        stream.Append("data: [DONE]\n\n");
        return new HttpResponseMessage(HttpStatusCode.OK)
        {
            RequestMessage = request,
            Content = new StringContent(stream.ToString(), Encoding.UTF8, "text/event-stream"),
        };
    }

    static IEnumerable<JsonObject> ToolCallChunks(string model)
    {
        yield return Chunk(model, new JsonObject { ["role"] = "assistant" });
        yield return Chunk(model, new JsonObject
        {
            ["tool_calls"] = new JsonArray(new JsonObject
            {
                ["index"] = 0, ["id"] = "call_warm_up", ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = TaskTools.ListTasks, ["arguments"] = "{}" },
            }),
        });
        yield return Chunk(model, new JsonObject(), finish: "tool_calls");
        yield return Usage(model);
    }

    static IEnumerable<JsonObject> AnswerChunks(string model)
    {
        yield return Chunk(model, new JsonObject { ["role"] = "assistant" });
        foreach (var piece in Answer) yield return Chunk(model, new JsonObject { ["content"] = piece });
        yield return Chunk(model, new JsonObject(), finish: "stop");
        yield return Usage(model);
    }

    static JsonObject Chunk(string model, JsonObject delta, string? finish = null) => new()
    {
        ["id"] = "chatcmpl-warm-up", ["object"] = "chat.completion.chunk", ["created"] = 1_700_000_000, ["model"] = model,
        ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
    };

    static JsonObject Usage(string model) => new()
    {
        ["id"] = "chatcmpl-warm-up", ["object"] = "chat.completion.chunk", ["created"] = 1_700_000_000, ["model"] = model,
        ["choices"] = new JsonArray(),
        ["usage"] = new JsonObject { ["prompt_tokens"] = 1, ["completion_tokens"] = 1, ["total_tokens"] = 2 },
    };
}
