using System.Text.Json.Serialization;
using ChatKit.Agent.Contracts;

namespace ChatKit.ApiService.ChatKit.Protocol;

// What a user sends into a turn, in the shape ChatKit's requests carry it (the protocol layer parses it into these).

public sealed record UserMessageInput
{
    [JsonRequired] public List<UserContent> Content { get; init; } = [];
    // The source generator sets a missing init property to null, past the initializer: coalesce to the default.
    public List<string> Attachments { get; init => field = value ?? []; } = [];
    public string? QuotedText { get; init; }
    public InferenceOptions InferenceOptions { get; init => field = value ?? new(); } = new();
}

public sealed record StructuredInputSubmission
{
    [JsonRequired] public string Status { get; init; } = "";
    public Dictionary<string, StructuredInputAnswer?>? Answers { get; init; }
}

public sealed record StructuredInputAnswer
{
    public List<string>? Values { get; init; }
    public bool Skipped { get; init; }
}

public sealed record WidgetAction
{
    [JsonRequired] public string Type { get; init; } = "";
    public RawJson Payload { get; init; } = RawJson.EmptyObject;
}
