using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using Kernel = Microsoft.SemanticKernel.Kernel;
using FunctionResultContent = Microsoft.Extensions.AI.FunctionResultContent;

namespace ChatKit.Agent.Tools;

/// <summary>
/// The task tools as a model sees them: the <see cref="TaskTools"/> kernel functions, bound to the request's kernel
/// (so they run through Semantic Kernel's invocation pipeline and filters) and offered under their plain names.
/// </summary>
public static class TaskToolset
{
    static readonly ConditionalWeakTable<KernelFunction, StrongBox<JsonElement>> CleanSchemas = new();

    /// <summary>The tools to put in <see cref="ChatOptions.Tools"/> for one turn.</summary>
    public static IList<AITool> ForModel(Kernel kernel) =>
        [.. kernel.Plugins[TaskTools.PluginName].Select(f => new KernelTool(f, kernel))];

    /// <summary>The plain tool name: <c>add_task</c> for <c>tasks_add_task</c> or <c>tasks-add_task</c>.</summary>
    public static string Plain(string name) =>
        name.StartsWith(TaskTools.PluginName, StringComparison.Ordinal) && name.Length > TaskTools.PluginName.Length + 1
        && name[TaskTools.PluginName.Length] is '_' or '-'
            ? name[(TaskTools.PluginName.Length + 1)..]
            : name;

    /// <summary>A tool result as JSON, whatever shape the function-calling layer handed it over in.</summary>
    public static JsonElement ResultJson(FunctionResultContent result) =>
        result.Exception is not null
            ? ToolResults.Error("tool_failed", "The tool could not run with those arguments.")
            : ResultJson(result.Result);

    public static JsonElement ResultJson(object? result) => result switch
    {
        JsonElement { ValueKind: JsonValueKind.String } text when Parse(text.GetString()) is { } parsed => parsed,
        JsonElement json => json,
        string text => Parse(text) ?? JsonSerializer.SerializeToElement(text),
        _ => JsonSerializer.SerializeToElement(result, AIJsonUtilities.DefaultOptions),
    };

    static JsonElement? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.TrimStart()[0] is not ('{' or '[')) return null;
        try
        {
            return JsonSerializer.Deserialize<JsonElement>(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The function's parameter schema as models and MCP clients get it: Semantic Kernel 1.82 repeats the function's
    /// description in the schema under a non-standard "condition" keyword; it goes, so strict schema validators get clean
    /// JSON Schema. Cleaned once per function (the plugin is shared), only when asked for.
    /// </summary>
    public static JsonElement SchemaOf(KernelFunction function) =>
        CleanSchemas.GetValue(function, f => new StrongBox<JsonElement>(WithoutKeyword(f.JsonSchema, "condition"))).Value;

    /// <summary>
    /// A kernel function as a model tool: invoked with <see cref="KernelFunction.InvokeAsync(Kernel, KernelArguments?, CancellationToken)"/>,
    /// so Semantic Kernel's filters and telemetry apply, and named without the plugin prefix.
    /// </summary>
    sealed class KernelTool(KernelFunction function, Kernel kernel) : DelegatingAIFunction(function)
    {
        public override string Name => function.Name;

        public override JsonElement JsonSchema => SchemaOf(function);

        protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
        {
            var result = await function.InvokeAsync(kernel, new KernelArguments(arguments), cancellationToken);
            return result.GetValue<object>();
        }
    }

    static JsonElement WithoutKeyword(JsonElement schema, string keyword)
    {
        if (schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty(keyword, out _)) return schema;
        var node = JsonObject.Create(schema)!;
        node.Remove(keyword);
        return JsonSerializer.SerializeToElement(node);
    }
}
