using System.Text.Json;
using System.Text.Json.Serialization;

namespace ChatKit.Agent.Contracts;

/// <summary>
/// The contract's JSON, on both sides: the web defaults (case-insensitive names, numbers from strings) with snake_case
/// names and null fields left out. The agent writes the NDJSON stream with it, the API reads it.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowOutOfOrderMetadataProperties = true)]
[JsonSerializable(typeof(AgentTurnRequest))]
[JsonSerializable(typeof(AgentEvent))]
[JsonSerializable(typeof(TaskListView))]
[JsonSerializable(typeof(ChangedTaskResult))]
[JsonSerializable(typeof(AgentTask))]
[JsonSerializable(typeof(AgentTaskPage))]
public sealed partial class AgentJsonContext : JsonSerializerContext;
