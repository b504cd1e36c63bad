using System.Text.Json;

namespace ChatKit.Bench.Clients;

/// <summary>Requests of the ChatKit protocol (chatkit-protocol.md a2) and a small client for seeding and probing.</summary>
public static class Ops
{
    static string Input(string text) =>
        "{\"content\":[{\"type\":\"input_text\",\"text\":" + JsonSerializer.Serialize(text) + "}],\"attachments\":[],\"inference_options\":{}}";

    public static string Create(string text) => "{\"type\":\"threads.create\",\"params\":{\"input\":" + Input(text) + "}}";

    public static string AddMessage(string threadId, string text) =>
        "{\"type\":\"threads.add_user_message\",\"params\":{\"thread_id\":" + JsonSerializer.Serialize(threadId) + ",\"input\":" + Input(text) + "}}";

    public static string ListThreads(int limit, string? after, string order = "desc") =>
        "{\"type\":\"threads.list\",\"params\":{\"limit\":" + limit + ",\"order\":\"" + order + "\"" +
        (after is null ? "" : ",\"after\":" + JsonSerializer.Serialize(after)) + "}}";

    public static string ListItems(string threadId, int limit, string? after, string order = "desc") =>
        "{\"type\":\"items.list\",\"params\":{\"thread_id\":" + JsonSerializer.Serialize(threadId) + ",\"limit\":" + limit +
        ",\"order\":\"" + order + "\"" + (after is null ? "" : ",\"after\":" + JsonSerializer.Serialize(after)) + "}}";
}
