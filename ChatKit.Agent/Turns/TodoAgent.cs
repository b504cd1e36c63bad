using System.ClientModel;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using ChatKit.Agent.Contracts;
using ChatKit.Agent.Models;
using ChatKit.Agent.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Kernel = Microsoft.SemanticKernel.Kernel;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace ChatKit.Agent.Turns;

/// <summary>Runs one turn of a conversation: the only way the rest of the service talks to the model.</summary>
public interface ITodoAgent
{
    /// <summary>The turn's events as they happen; the last one is a <see cref="AgentEvent.Done"/> or an <see cref="AgentEvent.Error"/>.</summary>
    IAsyncEnumerable<AgentEvent> RunTurnAsync(AgentTurnRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// The Semantic Kernel agent: the configured chat model, with the request's kernel functions as tools invoked
/// automatically, streamed and translated into agent events.
/// </summary>
sealed class TodoAgent(IChatClient model, Kernel kernel, IOptions<ModelOptions> modelOptions, IOptions<TurnOptions> turnOptions,
    AgentTelemetry telemetry, TimeProvider clock, ILogger<TodoAgent> logger) : ITodoAgent
{
    public async IAsyncEnumerable<AgentEvent> RunTurnAsync(AgentTurnRequest request,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var modelName = modelOptions.Value.Description;
        using var activity = telemetry.StartTurn(modelName, request.ThreadId);
        var started = clock.GetTimestamp();
        var messages = TurnPrompt.Build(request, turnOptions.Value, clock.GetUtcNow());
        var options = new ChatOptions { Tools = TaskToolset.ForModel(kernel), ToolMode = ChatToolMode.Auto };
        var text = new StringBuilder();
        var toolNames = new Dictionary<string, string>();
        long inputTokens = 0, outputTokens = 0;
        AgentEvent.Error? error = null;

        await using (var updates = model.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken))
        {
            while (true)
            {
                try
                {
                    if (!await updates.MoveNextAsync()) break;
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    error = ToError(ex);
                    logger.LogWarning(ex, "Turn failed with {Code} (model {Model})", error.Code, modelName);
                    break;
                }
                foreach (var content in updates.Current.Contents)
                {
                    switch (content)
                    {
                        case FunctionCallContent call:
                            var tool = toolNames[call.CallId] = TaskToolset.Plain(call.Name);
                            var arguments = JsonSerializer.SerializeToElement(call.Arguments ?? new Dictionary<string, object?>(), AIJsonUtilities.DefaultOptions);
                            var (icon, progress) = ToolViews.Progress(tool, arguments);
                            yield return new AgentEvent.ToolCall(call.CallId, tool, RawJson.From(arguments, AgentEventStream.WriterOptions),
                                new ToolDisplay(icon, progress));
                            break;
                        case FunctionResultContent result:
                            var name = toolNames.GetValueOrDefault(result.CallId, "unknown");
                            var json = TaskToolset.ResultJson(result);
                            if (result.Exception is not null) logger.LogWarning(result.Exception, "Tool {Tool} failed", name);
                            telemetry.ToolCalled(name, failed: json.ValueKind == JsonValueKind.Object
                                && json.TryGetProperty("status", out var status) && status.ValueEquals("error"));
                            yield return new AgentEvent.ToolResult(result.CallId, name, RawJson.From(json, AgentEventStream.WriterOptions),
                                TaskListOf(name, json));
                            break;
                        case TextContent { Text.Length: > 0 } delta when updates.Current.Role != ChatRole.Tool:
                            text.Append(delta.Text);
                            yield return new AgentEvent.TextDelta(delta.Text);
                            break;
                        case UsageContent usage:
                            inputTokens += usage.Details.InputTokenCount ?? 0;
                            outputTokens += usage.Details.OutputTokenCount ?? 0;
                            break;
                    }
                }
            }
        }

        var totals = new TurnUsage(inputTokens, outputTokens);
        telemetry.TurnEnded(modelName, clock.GetElapsedTime(started), totals, error?.Code);
        activity?.SetTag("gen_ai.usage.input_tokens", inputTokens);
        activity?.SetTag("gen_ai.usage.output_tokens", outputTokens);
        if (error is not null) activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, error.Code);
        yield return error ?? (AgentEvent)new AgentEvent.Done(text.ToString(), totals);
    }

    /// <summary>The rows and count of a result the user should see as a task list; null for other results.</summary>
    static TaskListView? TaskListOf(string tool, JsonElement result)
    {
        if (!ToolViews.ShowsTaskList(tool, result)) return null;
        var list = result.Deserialize(AgentJsonContext.Default.TaskListView)!;
        return list with { Total = Math.Max(list.Total, list.Tasks.Count) };
    }

    /// <summary>
    /// What the caller can do about a failure. Timeouts, throttling and server errors were already retried by the
    /// model HttpClient's resilience policy, so they surface as retryable; a rejected request or key will fail again.
    /// </summary>
    static AgentEvent.Error ToError(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            switch (ex)
            {
                case ClientResultException { Status: 0 or 408 or 429 or >= 500 }:
                case HttpRequestException or TimeoutRejectedException or BrokenCircuitException or TimeoutException or OperationCanceledException:
                    return new AgentEvent.Error(AgentEvent.Error.ModelUnavailable,
                        "The model is busy or unavailable right now. Please try again in a moment.", Retryable: true);
                case ClientResultException { Status: 401 or 403 }:
                    return new AgentEvent.Error(AgentEvent.Error.ModelError, "The model provider rejected the agent's credentials.", Retryable: false);
                case ClientResultException:
                    return new AgentEvent.Error(AgentEvent.Error.ModelError, "The model provider rejected the request.", Retryable: false);
            }
        }
        return new AgentEvent.Error(AgentEvent.Error.AgentError, "The agent could not complete this turn.", Retryable: false);
    }
}
