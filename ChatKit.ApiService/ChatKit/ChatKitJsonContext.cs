using System.Text.Json;
using System.Text.Json.Serialization;

namespace ChatKit.ApiService.ChatKit;

/// <summary>
/// Source-generated serialization of the ChatKit wire format (a7): snake_case properties, null fields omitted,
/// defaults written, dictionary keys as given (no DictionaryKeyPolicy), <c>type</c> accepted anywhere in an object.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowOutOfOrderMetadataProperties = true,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(ChatKitEvent))]
[JsonSerializable(typeof(ChatKitItem))]
[JsonSerializable(typeof(ChatKitThread))]
[JsonSerializable(typeof(ThreadsPage))]
[JsonSerializable(typeof(ItemsPage))]
[JsonSerializable(typeof(Attachment))]
[JsonSerializable(typeof(UpdatedItemResponse))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(global::ChatKit.ApiService.Turns.ToolRecord))]
[JsonSerializable(typeof(global::ChatKit.ApiService.Turns.CompletedTaskResult))]
[JsonSerializable(typeof(ThreadsCreateParams))]
[JsonSerializable(typeof(ThreadsAddUserMessageParams))]
[JsonSerializable(typeof(ThreadsAddClientToolOutputParams))]
[JsonSerializable(typeof(ThreadsAddStructuredInputParams))]
[JsonSerializable(typeof(ThreadItemRef))]
[JsonSerializable(typeof(ThreadsCustomActionParams))]
[JsonSerializable(typeof(ThreadRef))]
[JsonSerializable(typeof(ThreadsListParams))]
[JsonSerializable(typeof(ItemsListParams))]
[JsonSerializable(typeof(ThreadsUpdateParams))]
[JsonSerializable(typeof(ItemsFeedbackParams))]
[JsonSerializable(typeof(AttachmentsCreateParams))]
[JsonSerializable(typeof(AttachmentsDeleteParams))]
[JsonSerializable(typeof(InputTranscribeParams))]
public sealed partial class ChatKitJsonContext : JsonSerializerContext;
