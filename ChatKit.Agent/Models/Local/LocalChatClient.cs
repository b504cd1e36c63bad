using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace ChatKit.Agent.Models.Local;

/// <summary>
/// A deterministic, rule-based chat model that works offline. Like a real model it only answers with text or with
/// <see cref="FunctionCallContent"/>; the function-invoking layer around it runs the kernel functions and calls it
/// again with the <see cref="FunctionResultContent"/>, from which it words its answer, streamed a word or two at a time.
/// </summary>
public sealed partial class LocalChatClient : IChatClient
{
    public const string ModelId = "chatkit-local";

    static readonly ChatClientMetadata Metadata = new("chatkit-local", providerUri: null, defaultModelId: ModelId);

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default) =>
        GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
        ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var history = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var tools = options?.Tools?.OfType<AIFunctionDeclaration>().ToList() ?? [];
        var step = tools.Count == 0
            ? new Reply("I can't reach your task list right now, so I can't help with tasks at the moment.")
            : LocalPlanner.Next(LocalConversation.Read(history));
        var responseId = $"local_{Guid.NewGuid():N}";
        var inputTokens = EstimateTokens(string.Concat(history.Select(m => m.Text)));
        await Task.Yield();

        if (step is CallTools calls)
        {
            var contents = calls.Calls.Select(call => (AIContent)new FunctionCallContent(
                $"call_{Guid.NewGuid():N}"[..21], ToolName(tools, call.Name), call.Arguments)).ToList();
            contents.Add(new UsageContent(new UsageDetails { InputTokenCount = inputTokens, OutputTokenCount = 10L * calls.Calls.Count }));
            yield return new ChatResponseUpdate(ChatRole.Assistant, contents)
            {
                ResponseId = responseId, MessageId = responseId, ModelId = ModelId, FinishReason = ChatFinishReason.ToolCalls,
            };
            yield break;
        }

        var text = ((Reply)step).Text;
        foreach (Match chunk in Chunk().Matches(text))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new ChatResponseUpdate(ChatRole.Assistant, chunk.Value)
            {
                ResponseId = responseId, MessageId = responseId, ModelId = ModelId,
            };
        }
        yield return new ChatResponseUpdate(ChatRole.Assistant,
            [new UsageContent(new UsageDetails { InputTokenCount = inputTokens, OutputTokenCount = EstimateTokens(text) })])
        {
            ResponseId = responseId, MessageId = responseId, ModelId = ModelId, FinishReason = ChatFinishReason.Stop,
        };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? Metadata
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }

    // The tools may be offered under a plugin prefix ("tasks_add_task"); call them by the name they were offered under.
    static string ToolName(List<AIFunctionDeclaration> tools, string plain) =>
        tools.FirstOrDefault(t => t.Name == plain)?.Name
        ?? tools.FirstOrDefault(t => t.Name.EndsWith("_" + plain, StringComparison.Ordinal) || t.Name.EndsWith("-" + plain, StringComparison.Ordinal))?.Name
        ?? plain;

    // A rough count (about four characters a token) so that usage and the token metrics mean something offline too.
    static long EstimateTokens(string text) => Math.Max(1, text.Length / 4);

    /// <summary>One or two words with the spaces after them: small pieces, as a real model streams.</summary>
    [GeneratedRegex(@"\s*\S+(?:\s+\S+)?\s*")]
    private static partial Regex Chunk();
}
