using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI.Chat;

namespace ChatKit.Agent.Models;

/// <summary>
/// Hands the OpenAI client the tools' definitions built once instead of once per request. Microsoft.Extensions.AI's
/// OpenAI client converts every tool's JSON schema on every call (a deserialize and a serialize per tool): 7% of the
/// agent's CPU in a crowd of new threads (docs/benchmarks.md). Sits right above the provider's client, below function
/// invocation and telemetry, which still see the tools as they are. Requests it cannot prebuild for (other tool kinds,
/// a request-wide strict setting, a caller's own raw options) pass through unchanged.
/// </summary>
public sealed class OpenAIToolDefinitions(IChatClient provider) : DelegatingChatClient(provider)
{
    // A request-wide "strict" changes how the client builds every tool (Microsoft.Extensions.AI's OpenAIClientExtensions).
    const string StrictKey = "strict";

    readonly ConcurrentDictionary<string, Definition> definitions = new(StringComparer.Ordinal);

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages,
        ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetResponseAsync(messages, WithPrebuiltTools(options), cancellationToken);

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages,
        ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetStreamingResponseAsync(messages, WithPrebuiltTools(options), cancellationToken);

    /// <summary>The options with their tools moved into a prebuilt <see cref="ChatCompletionOptions"/>, as the client would build it.</summary>
    public ChatOptions? WithPrebuiltTools(ChatOptions? options)
    {
        if (options is not { Tools.Count: > 0 } || options.RawRepresentationFactory is not null
            || options.AdditionalProperties?.ContainsKey(StrictKey) is true)
            return options;
        var tools = new ChatTool[options.Tools.Count];
        for (var i = 0; i < tools.Length; i++)
        {
            if (options.Tools[i] is not AIFunctionDeclaration function) return options;
            tools[i] = DefinitionOf(function);
        }

        var choice = options.ToolMode switch
        {
            NoneChatToolMode => ChatToolChoice.CreateNoneChoice(),
            RequiredChatToolMode { RequiredFunctionName: { } name } => ChatToolChoice.CreateFunctionChoice(name),
            RequiredChatToolMode => ChatToolChoice.CreateRequiredChoice(),
            _ => ChatToolChoice.CreateAutoChoice(),
        };
        var allowParallel = options.AllowMultipleToolCalls;
        var prebuilt = options.Clone();
        prebuilt.Tools = null;
        prebuilt.RawRepresentationFactory = _ =>
        {
            var completion = new ChatCompletionOptions { ToolChoice = choice, AllowParallelToolCalls = allowParallel };
            foreach (var tool in tools) completion.Tools.Add(tool);
            return completion;
        };
        return prebuilt;
    }

    /// <summary>The tool's definition, rebuilt only when its description or schema is not the one it was built from.</summary>
    ChatTool DefinitionOf(AIFunctionDeclaration function)
    {
        if (definitions.TryGetValue(function.Name, out var known) && known.Matches(function)) return known.Tool;
        var built = new Definition(function.Description, function.JsonSchema.Clone(), function.AsOpenAIChatTool());
        definitions[function.Name] = built;
        return built.Tool;
    }

    sealed record Definition(string Description, JsonElement Schema, ChatTool Tool)
    {
        public bool Matches(AIFunctionDeclaration function) =>
            Description == function.Description && JsonElement.DeepEquals(Schema, function.JsonSchema);
    }
}
