using System.Text.Json.Serialization;

namespace ChatKit.ApiService.Rest;

// The REST shapes of the original design, plus paging fields where a list can grow. Each member names its wire name
// (snake_case), as the agent's wire types do: the minimal-API JSON options, which the typed results and the OpenAPI
// document use, keep the framework's own names (problem details' traceId).

public sealed record ThreadSummary(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("created_at")] DateTime CreatedAt,
    [property: JsonPropertyName("updated_at")] DateTime UpdatedAt,
    [property: JsonPropertyName("message_count")] int MessageCount);

public sealed record ThreadList(
    [property: JsonPropertyName("threads")] IReadOnlyList<ThreadSummary> Threads,
    [property: JsonPropertyName("has_more")] bool HasMore,
    [property: JsonPropertyName("after")] string? After);

public sealed record CreateThreadRequest([property: JsonPropertyName("title")] string? Title);

public sealed record CreatedThread(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("created_at")] DateTime CreatedAt);

public sealed record ThreadWithMessages(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("created_at")] DateTime CreatedAt,
    [property: JsonPropertyName("updated_at")] DateTime UpdatedAt,
    [property: JsonPropertyName("message_count")] int MessageCount,
    [property: JsonPropertyName("messages")] IReadOnlyList<MessageView> Messages,
    [property: JsonPropertyName("has_more")] bool HasMore,
    [property: JsonPropertyName("after")] string? After);

public sealed record MessageView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("content")] string Content,
    [property: JsonPropertyName("created_at")] DateTime CreatedAt);

public sealed record RenameThreadRequest([property: JsonPropertyName("title")] string? Title);

public sealed record SendMessageRequest(
    [property: JsonPropertyName("thread_id")] string? ThreadId,
    [property: JsonPropertyName("message")] string? Message);

public sealed record SendMessageResponse(
    [property: JsonPropertyName("message_id")] string MessageId,
    [property: JsonPropertyName("response_id")] string? ResponseId,
    [property: JsonPropertyName("response")] string Response,
    [property: JsonPropertyName("thread_id")] string ThreadId);

/// <summary>A task as a ChatKit entity for @-mentions; <c>data</c> values are strings, as ChatKit's Entity type wants.</summary>
public sealed record TaskEntity(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("group")] string Group,
    [property: JsonPropertyName("interactive")] bool Interactive,
    [property: JsonPropertyName("data")] Dictionary<string, string> Data);

public sealed record EntityList([property: JsonPropertyName("entities")] IReadOnlyList<TaskEntity> Entities);

[JsonSerializable(typeof(ThreadList))]
[JsonSerializable(typeof(CreateThreadRequest))]
[JsonSerializable(typeof(CreatedThread))]
[JsonSerializable(typeof(ThreadWithMessages))]
[JsonSerializable(typeof(ThreadSummary))]
[JsonSerializable(typeof(RenameThreadRequest))]
[JsonSerializable(typeof(SendMessageRequest))]
[JsonSerializable(typeof(SendMessageResponse))]
[JsonSerializable(typeof(EntityList))]
public sealed partial class ConversationsJsonContext : JsonSerializerContext;
