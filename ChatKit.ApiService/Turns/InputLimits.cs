using System.Globalization;
using System.Text.Json;
using ChatKit.Agent.Contracts;
using ChatKit.ApiService.Conversations;
using ChatKit.ApiService.Infrastructure;
using ChatKit.ApiService.ChatKit.Protocol;

namespace ChatKit.ApiService.Turns;

/// <summary>
/// The limits on what a request asks the conversation store to keep (<see cref="ConversationOptions"/>): every stored
/// field of a user message, a client tool's output, structured-input answers, and each stored item as a whole. Checked
/// before anything is stored or streamed, so a request over a limit is a 400 problem naming the field
/// (<c>code: "input_too_large"</c> or <c>"item_too_large"</c>, <c>field</c>: the JSON path in the ChatKit request).
/// </summary>
public static class InputLimits
{
    public const string InputTooLarge = "input_too_large";
    public const string ItemTooLarge = "item_too_large";

    public static void Check(UserMessageInput input, ConversationOptions limits)
    {
        if (input.Content.Count > limits.MaxContentParts)
            throw Over("params.input.content", $"has {Count(input.Content.Count)} parts; at most {Count(limits.MaxContentParts)} are allowed");
        for (var i = 0; i < input.Content.Count; i++)
        {
            var path = $"params.input.content[{i}]";
            switch (input.Content[i])
            {
                case InputText text:
                    Length(text.Text, limits.MaxMessageLength, path + ".text");
                    break;
                case InputTag tag:
                    Length(tag.Id, limits.MaxTagFieldLength, path + ".id");
                    Length(tag.Text, limits.MaxTagFieldLength, path + ".text");
                    Length(tag.Group, limits.MaxTagFieldLength, path + ".group");
                    Bytes(tag.Data.Utf8.Length, limits.MaxTagDataBytes, path + ".data");
                    break;
            }
        }
        Length(input.QuotedText, limits.MaxQuotedTextLength, "params.input.quoted_text");
        Length(input.InferenceOptions.Model, limits.MaxInferenceOptionLength, "params.input.inference_options.model");
        Length(input.InferenceOptions.ToolChoice?.Id, limits.MaxInferenceOptionLength, "params.input.inference_options.tool_choice.id");
    }

    /// <summary>The output of a client tool, as it will be stored.</summary>
    public static byte[] ToolOutput(JsonElement result, ConversationOptions limits)
    {
        var json = RawJson.From(result).Utf8.ToArray();
        Bytes(json.Length, limits.MaxToolOutputBytes, "params.result");
        return json;
    }

    /// <summary>The answers that will be stored: those to the questions (<paramref name="inputIds"/>) of the item.</summary>
    public static void Check(StructuredInputSubmission submission, IEnumerable<string> inputIds, ConversationOptions limits)
    {
        foreach (var id in inputIds)
        {
            if (submission.Answers?.GetValueOrDefault(id)?.Values is not { } values) continue;
            var path = $"params.input.answers.{id}.values";
            if (values.Count > limits.MaxAnswerValues)
                throw Over(path, $"has {Count(values.Count)} values; at most {Count(limits.MaxAnswerValues)} are allowed");
            for (var i = 0; i < values.Count; i++) Length(values[i], limits.MaxAnswerValueLength, $"{path}[{i}]");
        }
    }

    /// <summary>An item a request creates, as a whole: <paramref name="field"/> is the part of the request it came from.</summary>
    public static void Check(ThreadItem item, string field, ConversationOptions limits)
    {
        if (item.Data.Length > limits.MaxItemBytes)
        {
            throw ApiError.TooLarge(ItemTooLarge, field,
                $"{field} would be stored as {Count(item.Data.Length)} bytes of JSON; at most {Count(limits.MaxItemBytes)} are allowed.");
        }
    }

    static void Length(string? value, int max, string field)
    {
        if (value is not null && value.Length > max)
            throw Over(field, $"is {Count(value.Length)} characters long; at most {Count(max)} are allowed");
    }

    static void Bytes(int length, int max, string field)
    {
        if (length > max) throw Over(field, $"is {Count(length)} bytes of JSON; at most {Count(max)} are allowed");
    }

    static ApiError Over(string field, string what) => ApiError.TooLarge(InputTooLarge, field, $"{field} {what}.");

    static string Count(int n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
