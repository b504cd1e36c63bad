using System.Text.Json.Serialization;

namespace ChatKit.ApiService.Rest;

// The REST shapes of the original design (snake_case), plus paging fields where a list can grow.

public sealed record ThreadSummary(string Id, string? Title, DateTime CreatedAt, DateTime UpdatedAt, int MessageCount);

public sealed record ThreadList(IReadOnlyList<ThreadSummary> Threads, bool HasMore, string? After);

public sealed record CreateThreadRequest(string? Title);

public sealed record CreatedThread(string Id, DateTime CreatedAt);

public sealed record ThreadWithMessages(string Id, string? Title, DateTime CreatedAt, DateTime UpdatedAt, int MessageCount,
    IReadOnlyList<MessageView> Messages, bool HasMore, string? After);

public sealed record MessageView(string Id, string Role, string Content, DateTime CreatedAt);

public sealed record RenameThreadRequest(string? Title);

public sealed record SendMessageRequest(string? ThreadId, string? Message);

public sealed record SendMessageResponse(string MessageId, string? ResponseId, string Response, string ThreadId);

/// <summary>A task as a ChatKit entity for @-mentions; <c>data</c> values are strings, as ChatKit's Entity type wants.</summary>
public sealed record TaskEntity(string Id, string Title, string Group, bool Interactive, Dictionary<string, string> Data);

public sealed record EntityList(IReadOnlyList<TaskEntity> Entities);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
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
