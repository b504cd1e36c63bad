using System.Text;
using System.Text.Json.Nodes;
using ChatKit.ApiService.ChatKit.Protocol;

namespace ChatKit.ApiService.Turns;

/// <summary>threads.add_structured_input's answers (docs/chatkit-protocol.md a4), applied to the item and told to the model.</summary>
static class StructuredAnswers
{
    public static string InputId(JsonObject input) => input["id"]?.GetValue<string>() ?? "";

    /// <summary>Applies a submission (skips become <c>{skipped: true}</c>) and sums it up as text for the model.</summary>
    public static (StructuredInputItem Item, string Summary) Apply(StructuredInputItem item, StructuredInputSubmission submission)
    {
        var summary = new StringBuilder("Answers to the questions:");
        var inputs = new List<JsonObject>();
        foreach (var original in item.Inputs)
        {
            var input = (JsonObject)original.DeepClone();
            var id = InputId(input);
            StructuredInputAnswer? answer = null;
            submission.Answers?.TryGetValue(id, out answer);
            var values = answer?.Values?.Where(v => v is not null).ToList() ?? [];
            var skipped = submission.Status == "skipped" || answer is null || answer.Skipped || values.Count == 0;
            if (!skipped && (string?)input["type"] == "multiple_choice"
                && !(input["multiple"] is JsonValue multiple && multiple.TryGetValue<bool>(out var many) && many)) values = [values[0]];
            input["answer"] = new JsonObject
            {
                ["values"] = new JsonArray(skipped ? [] : values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()),
                ["skipped"] = skipped,
            };
            inputs.Add(input);
            summary.Append("\n- ").Append((string?)input["question"] ?? id).Append(": ").Append(skipped ? "(skipped)" : string.Join(", ", values));
        }
        return (item with { Status = submission.Status, Inputs = inputs }, summary.ToString());
    }
}
