using System.Text.Json.Serialization;
using System.Text.Json;
using ChatKit.ApiService.Attachments;
using ChatKit.ApiService.Turns;

namespace ChatKit.ApiService.ChatKit;

/// <summary>
/// The ChatKit requests and the answers of the non-streaming ones, with the options of <see cref="ChatKitJson"/>.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowOutOfOrderMetadataProperties = true,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(ChatKitThread))]
[JsonSerializable(typeof(ThreadsPage))]
[JsonSerializable(typeof(ItemsPage))]
[JsonSerializable(typeof(Attachment))]
[JsonSerializable(typeof(UpdatedItemResponse))]
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
public sealed partial class ProtocolJsonContext : JsonSerializerContext;

public static class ProtocolJson
{
    /// <summary>For answers: non-ASCII text written as is.</summary>
    public static ProtocolJsonContext Context { get; } = new(new JsonSerializerOptions(ProtocolJsonContext.Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>
    /// For parsing requests: a JSON null where the contract has a value (<c>"input": null</c>,
    /// <c>"attachments": null</c>) fails parsing and becomes a 400, like a wrong type.
    /// </summary>
    public static ProtocolJsonContext Requests { get; } = new(new JsonSerializerOptions(Context.Options)
    {
        RespectNullableAnnotations = true,
    });
}
