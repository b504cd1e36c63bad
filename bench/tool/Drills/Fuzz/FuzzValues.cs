using System.Text.Json.Nodes;

namespace ChatKit.Bench.Drills.Fuzz;

/// <summary>The fuzz drill's building blocks: odd strings, grapheme runs, the request types and their valid templates.</summary>
public static class FuzzValues
{
    public static readonly string[] OddStrings =
    [
        "", " ", "\u0000", "\ud800", "\udfff", "\u202eevil", "\ufeff", "\uffff", "👩‍👩‍👧‍👦", string.Concat(Enumerable.Repeat("a\u0301", 5000)),
        "<script>alert(1)</script>", "'; drop table threads; --", "%s%n%x", "../../etc/passwd", "null", "\\", "\"", "{", "thr_", "msg_00000000",
        new string('x', 70_000), string.Concat(Enumerable.Repeat("💥", 20_000)),
    ];

    /// <summary>Runs that a cut by UTF-16 index would split: emoji, ZWJ sequences, flags, combining marks, keycaps.</summary>
    public static readonly string[] Graphemes = ["😀", "👩‍👩‍👧‍👦", "🧑🏿‍🚀", "🇫🇷", "🏳️‍🌈", "e\u0301", "a\u0308\u0323", "1\uFE0F\u20E3", "\u1100\u1161\u11A8"];

    public static readonly string[] Methods =
    [
        "threads.create", "threads.add_user_message", "threads.add_client_tool_output", "threads.add_structured_input",
        "threads.retry_after_item", "threads.custom_action", "threads.sync_custom_action", "threads.get_by_id", "threads.list",
        "items.list", "threads.update", "threads.delete", "items.feedback", "attachments.create", "attachments.delete", "input.transcribe",
    ];

    public static JsonObject Template(string op, string threadId, string itemId, string attachmentId)
    {
        var input = JsonNode.Parse("""{"content":[{"type":"input_text","text":"hello"}],"attachments":[],"inference_options":{}}""")!;
        JsonObject p = op switch
        {
            "threads.create" => new() { ["input"] = input },
            "threads.add_user_message" => new() { ["thread_id"] = threadId, ["input"] = input },
            "threads.add_client_tool_output" => new() { ["thread_id"] = threadId, ["result"] = new JsonObject { ["ok"] = true } },
            "threads.add_structured_input" => new() { ["thread_id"] = threadId, ["item_id"] = itemId, ["input"] = JsonNode.Parse("""{"status":"answered","answers":{"q1":{"values":["a"],"skipped":false}}}""") },
            "threads.retry_after_item" => new() { ["thread_id"] = threadId, ["item_id"] = itemId },
            "threads.custom_action" or "threads.sync_custom_action" => new() { ["thread_id"] = threadId, ["item_id"] = itemId, ["action"] = new JsonObject { ["type"] = "task.complete", ["payload"] = new JsonObject { ["task_id"] = 1 } } },
            "threads.get_by_id" or "threads.delete" => new() { ["thread_id"] = threadId },
            "threads.list" => new() { ["limit"] = 20, ["order"] = "desc" },
            "items.list" => new() { ["thread_id"] = threadId, ["limit"] = 20, ["order"] = "desc" },
            "threads.update" => new() { ["thread_id"] = threadId, ["title"] = "renamed" },
            "items.feedback" => new() { ["thread_id"] = threadId, ["item_ids"] = new JsonArray(itemId), ["kind"] = "positive" },
            "attachments.create" => new() { ["name"] = "a.txt", ["size"] = 5, ["mime_type"] = "text/plain" },
            "attachments.delete" => new() { ["attachment_id"] = attachmentId },
            "input.transcribe" => new() { ["audio_base64"] = "AAAA", ["mime_type"] = "audio/webm" },
            _ => new(),
        };
        return new JsonObject { ["type"] = op, ["params"] = p, ["metadata"] = new JsonObject() };
    }

    /// <summary>Every JSON path of a node (objects and arrays), for mutation.</summary>
    public static List<(JsonNode Parent, object Key)> Slots(JsonNode node)
    {
        var slots = new List<(JsonNode, object)>();
        void Walk(JsonNode n)
        {
            if (n is JsonObject o) foreach (var kv in o.ToList()) { slots.Add((o, kv.Key)); if (kv.Value is not null) Walk(kv.Value); }
            else if (n is JsonArray a) for (var i = 0; i < a.Count; i++) { slots.Add((a, i)); if (a[i] is not null) Walk(a[i]!); }
        }
        Walk(node);
        return slots;
    }

    public static JsonNode? Weird(Random r, string[] ids) => r.Next(12) switch
    {
        0 => null,
        1 => r.Next(2) == 0 ? -1 : int.MaxValue,
        2 => 1e308,
        3 => true,
        4 => new JsonArray(),
        5 => new JsonObject(),
        6 => new JsonArray(Enumerable.Range(0, 2000).Select(i => (JsonNode?)JsonValue.Create(i)).ToArray()),
        7 or 8 => ids[r.Next(ids.Length)],
        _ => OddStrings[r.Next(OddStrings.Length)],
    };
}
