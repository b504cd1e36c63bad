using System.Text;
using System.Text.Json.Nodes;
using static ChatKit.Bench.Drills.Fuzz.FuzzValues;

namespace ChatKit.Bench.Drills.Fuzz;

/// <summary>The fuzz drill's cases, generated from a fixed seed (reproducible).</summary>
public static class FuzzCases
{
    public static IEnumerable<FuzzCase> Generate(int count, string attacker, string[] badTokens, string ownThread, string ownItem, string[] foreignIds, string foreignThread, string foreignItem)
    {
        var r = new Random(20260519);
        var utf8 = Encoding.UTF8;
        var ids = foreignIds.Concat([ownThread, ownItem, "thr_deadbeef", "msg_deadbeef", "atc_deadbeef"]).ToArray();
        var n = 0;
        // 1. Every op, foreign ids in every id slot: must never touch the victim.
        foreach (var op in Methods)
        {
            var t = Template(op, foreignThread, foreignItem, "atc_deadbeef");
            n++; yield return new FuzzCase("/api/chatkit", "foreign ids", attacker, "application/json", utf8.GetBytes(t.ToJsonString()));
        }
        // 2. Bad or missing tokens on every op.
        foreach (var op in Methods)
            foreach (var bad in badTokens)
            {
                n++; yield return new FuzzCase("/api/chatkit", "bad token", bad, "application/json", utf8.GetBytes(Template(op, ownThread, ownItem, "atc_deadbeef").ToJsonString()));
            }
        while (n < count)
        {
            var op = Methods[r.Next(Methods.Length)];
            var doc = Template(op, r.Next(3) == 0 ? foreignThread : ownThread, r.Next(3) == 0 ? foreignItem : ownItem, "atc_deadbeef");
            var kind = r.Next(15);
            n++;
            switch (kind)
            {
                case 0: // truncated JSON
                {
                    var s = doc.ToJsonString();
                    yield return new FuzzCase("/api/chatkit", "broken JSON (truncated)", attacker, "application/json", utf8.GetBytes(s[..r.Next(s.Length)]));
                    break;
                }
                case 1: // random bytes, invalid UTF-8, BOM, nesting
                {
                    byte[] body = r.Next(5) switch
                    {
                        0 => Enumerable.Range(0, r.Next(1, 3000)).Select(_ => (byte)r.Next(256)).ToArray(),
                        1 => [.. utf8.GetBytes("{\"type\":\"threads.create\",\"params\":{\"input\":{\"content\":[{\"type\":\"input_text\",\"text\":\""), 0xC0, 0xAF, 0xED, 0xA0, 0x80, .. utf8.GetBytes("\"}],\"attachments\":[],\"inference_options\":{}}}}")],
                        2 => [0xEF, 0xBB, 0xBF, .. utf8.GetBytes(doc.ToJsonString())],
                        3 => utf8.GetBytes(new string('[', 100_000) + new string(']', 100_000)),
                        _ => utf8.GetBytes("{\"params\":{},\"type\":\"threads.list\",\"type\":\"threads.delete\"}"),
                    };
                    yield return new FuzzCase("/api/chatkit", "broken JSON (bytes)", attacker, "application/json", body);
                    break;
                }
                case 2: // drop a field
                {
                    var slots = Slots(doc);
                    var (parent, key) = slots[r.Next(slots.Count)];
                    if (parent is JsonObject o) o.Remove((string)key); else ((JsonArray)parent).RemoveAt((int)key);
                    yield return new FuzzCase("/api/chatkit", "missing field", attacker, "application/json", utf8.GetBytes(doc.ToJsonString()));
                    break;
                }
                case 3: // unknown op / type confusion at the top
                {
                    doc["type"] = r.Next(3) switch { 0 => OddStrings[r.Next(OddStrings.Length)], 1 => 42, _ => new JsonArray("threads.list") };
                    yield return new FuzzCase("/api/chatkit", "wrong type (op)", attacker, "application/json", utf8.GetBytes(doc.ToJsonString()));
                    break;
                }
                case 4: // wrong content type / method / path
                {
                    var ct = new[] { "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "", "application/json; charset=utf-16" }[r.Next(5)];
                    var method = new[] { "POST", "PUT", "GET", "DELETE", "PATCH" }[r.Next(5)];
                    var path = new[] { "/api/chatkit", "/api/chatkit/", "/api/chatkit?x=%00", "/api/chatkit/../health", "/api/" + new string('a', 5000) }[r.Next(5)];
                    yield return new FuzzCase(path, "wrong method/content type/path", attacker, ct, utf8.GetBytes(doc.ToJsonString()), method);
                    break;
                }
                case 5: // huge body
                {
                    var text = new string('x', r.Next(2) == 0 ? 1 << 20 : 8 << 20);
                    var big = Template("threads.create", ownThread, ownItem, "atc_deadbeef");
                    big["params"]!["input"]!["content"]![0]!["text"] = text;
                    yield return new FuzzCase("/api/chatkit", "huge string", attacker, "application/json", utf8.GetBytes(big.ToJsonString()));
                    break;
                }
                case 6: // many content parts / attachments
                {
                    var many = Template(r.Next(2) == 0 ? "threads.create" : "threads.add_user_message", ownThread, ownItem, "atc_deadbeef");
                    var arr = many["params"]!["input"]!["content"]!.AsArray();
                    for (var i = 0; i < 5000; i++) arr.Add(new JsonObject { ["type"] = r.Next(2) == 0 ? "input_text" : "input_tag", ["text"] = "p" + i, ["id"] = "tag" + i });
                    many["params"]!["input"]!["attachments"] = new JsonArray(Enumerable.Range(0, 50).Select(_ => (JsonNode?)JsonValue.Create(ids[r.Next(ids.Length)])).ToArray());
                    yield return new FuzzCase("/api/chatkit", "huge arrays", attacker, "application/json", utf8.GetBytes(many.ToJsonString()));
                    break;
                }
                case 7: // agent endpoint directly (internal, still must not 500)
                {
                    var body = r.Next(3) switch
                    {
                        0 => "{\"thread_id\":" + new JsonArray().ToJsonString() + ",\"history\":{},\"input\":7}",
                        1 => "{\"thread_id\":\"thr_x\",\"history\":[{\"role\":\"tool\",\"arguments\":\"" + OddStrings[r.Next(OddStrings.Length)].Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"}],\"input\":{\"text\":null}}",
                        _ => doc.ToJsonString()[..r.Next(doc.ToJsonString().Length)],
                    };
                    yield return new FuzzCase("/internal/turns", "agent: malformed turn", attacker, "application/json", utf8.GetBytes(body), ToAgent: true);
                    break;
                }
                case 8:
                case 9: // the REST endpoints: foreign or odd ids in paths, odd query strings, odd bodies
                {
                    string Odd() => Uri.EscapeDataString(r.Next(3) == 0 ? ids[r.Next(ids.Length)] : OddStrings[r.Next(OddStrings.Length)] is { Length: > 0 } o ? o[..Math.Min(o.Length, 3000)] : "x");
                    var id = r.Next(2) == 0 ? foreignThread : Odd();
                    var (method, path) = r.Next(14) switch
                    {
                        0 => ("GET", $"/api/chatkit/threads?limit={Odd()}&after={Odd()}&q={Odd()}"),
                        1 => ("POST", "/api/chatkit/threads"),
                        2 => ("GET", $"/api/chatkit/threads/{id}"),
                        3 => ("PATCH", $"/api/chatkit/threads/{id}"),
                        4 => ("DELETE", $"/api/chatkit/threads/{id}"),
                        5 => ("POST", "/api/chatkit/messages"),
                        6 => ("GET", $"/api/chatkit/entities/search?q={Odd()}&limit={Odd()}"),
                        7 => ("POST", r.Next(2) == 0 ? "/api/chatkit/session" : "/api/chatkit/refresh"),
                        8 => (r.Next(2) == 0 ? "POST" : "PUT", $"/api/chatkit/attachments/{Odd()}/upload?key={Odd()}"),
                        9 => ("GET", $"/api/chatkit/attachments/{Odd()}/content?key={Odd()}"),
                        10 => ("GET", $"/api/tasks?limit={Odd()}&after={Odd()}&status={Odd()}"),
                        11 => (new[] { "GET", "PATCH", "DELETE" }[r.Next(3)], $"/api/tasks/{(r.Next(2) == 0 ? r.Next(1, 50).ToString() : Odd())}"),
                        12 => ("POST", r.Next(2) == 0 ? "/api/tasks" : $"/api/tasks/{r.Next(1, 50)}/complete"),
                        _ => ("POST", "/api/dev/token"),
                    };
                    var body = r.Next(4) switch
                    {
                        0 => doc.ToJsonString(),
                        1 => "{\"title\":" + new JsonArray(OddStrings[r.Next(OddStrings.Length)]).ToJsonString() + ",\"thread_id\":\"" + foreignThread + "\",\"text\":7}",
                        2 => "{\"title\":\"" + OddStrings[r.Next(OddStrings.Length)].Replace("\\", "").Replace("\"", "") + "\",\"description\":null,\"completed\":\"yes\",\"message\":{}}",
                        _ => doc.ToJsonString()[..r.Next(doc.ToJsonString().Length)],
                    };
                    var ct = r.Next(5) == 0 ? "multipart/form-data; boundary=zz" : "application/json";
                    yield return new FuzzCase(path, "REST endpoints", attacker, ct, utf8.GetBytes(body), method);
                    break;
                }
                case 12: // the stored fields beyond the text: quoted text, tags, inference options, tool outputs, answers
                {
                    string Sized() => r.Next(3) switch
                    {
                        0 => OddStrings[r.Next(OddStrings.Length)],
                        1 => new string('q', r.Next(7_000, 9_000)),
                        _ => string.Concat(Enumerable.Repeat(Graphemes[r.Next(Graphemes.Length)], r.Next(1, 600))),
                    };
                    JsonObject body;
                    switch (r.Next(5))
                    {
                        case 0 or 1:
                            body = Template(r.Next(2) == 0 ? "threads.create" : "threads.add_user_message", ownThread, ownItem, "atc_deadbeef");
                            var input = body["params"]!["input"]!.AsObject();
                            if (r.Next(2) == 0) input["quoted_text"] = Sized();
                            var content = input["content"]!.AsArray();
                            for (var i = r.Next(1, 60); i > 0; i--)
                            {
                                content.Add(new JsonObject
                                {
                                    ["type"] = "input_tag", ["id"] = r.Next(4) == 0 ? Sized() : $"task_{r.Next(1, 50)}", ["text"] = r.Next(4) == 0 ? Sized() : "tag",
                                    ["group"] = r.Next(4) == 0 ? Sized() : null,
                                    ["data"] = r.Next(3) == 0 ? new JsonObject { ["pad"] = new string('d', r.Next(3_000, 6_000)) } : new JsonObject { ["task_id"] = r.Next(1, 50) },
                                    ["interactive"] = r.Next(2) == 0,
                                });
                            }
                            input["inference_options"] = new JsonObject
                            {
                                ["model"] = r.Next(2) == 0 ? Sized() : "gpt-4.1",
                                ["tool_choice"] = r.Next(2) == 0 ? new JsonObject { ["id"] = Sized() } : null,
                            };
                            break;
                        case 2:
                            body = Template("threads.add_client_tool_output", ownThread, ownItem, "atc_deadbeef");
                            body["params"]!["result"] = new JsonObject { ["blob"] = new string('o', r.Next(60_000, 70_000)), ["text"] = Sized() };
                            break;
                        default:
                            body = Template("threads.add_structured_input", ownThread, ownItem, "atc_deadbeef");
                            body["params"]!["input"]!["answers"] = new JsonObject
                            {
                                ["q1"] = new JsonObject
                                {
                                    ["values"] = new JsonArray(Enumerable.Range(0, r.Next(1, 80)).Select(_ => (JsonNode?)JsonValue.Create(Sized())).ToArray()),
                                    ["skipped"] = false,
                                },
                            };
                            break;
                    }
                    yield return new FuzzCase("/api/chatkit", "stored fields (quote, tags, options, outputs, answers)", attacker, "application/json", utf8.GetBytes(body.ToJsonString()));
                    break;
                }
                case 13: // a first message of one long run of emoji, flags or combining marks: the title and the agent cut it
                {
                    var run = string.Concat(Enumerable.Repeat(Graphemes[r.Next(Graphemes.Length)], r.Next(20, 400)));
                    var text = r.Next(3) == 0 ? new string('x', r.Next(1, 4)) + run : run;
                    var first = Template(r.Next(3) == 0 ? "threads.add_user_message" : "threads.create", ownThread, ownItem, "atc_deadbeef");
                    first["params"]!["input"]!["content"]![0]!["text"] = text;
                    if (r.Next(2) == 0) first["params"]!["input"]!["quoted_text"] = string.Concat(Enumerable.Repeat(run, 10));
                    yield return new FuzzCase("/api/chatkit", "emoji runs", attacker, "application/json", utf8.GetBytes(first.ToJsonString()));
                    break;
                }
                case 14: // dot segments, plain and encoded, out of the ChatKit and tasks prefixes
                {
                    var dots = new[] { "..", "%2e%2e", "%2E%2E", ".%2e", "%2e.", "..%2f..", "%2e%2e%2f%2e%2e", "..%5c..", "%252e%252e", "." }[r.Next(10)];
                    var path = new[]
                    {
                        $"/api/chatkit/{dots}/health", $"/api/chatkit/{dots}/{dots}/health", $"/api/chatkit/threads/{dots}/{dots}/dev/token",
                        $"/api/tasks/{dots}/chatkit/threads", $"/api/chatkit/attachments/{dots}/{dots}/tasks", $"/api/chatkit/{dots}",
                    }[r.Next(6)];
                    var method = new[] { "GET", "POST", "DELETE" }[r.Next(3)];
                    yield return new FuzzCase(path, "dot segments", attacker, "application/json", utf8.GetBytes(doc.ToJsonString()), method, RawPath: true);
                    break;
                }
                default: // replace a value anywhere with a weird one
                {
                    var slots = Slots(doc);
                    for (var k = 0; k < 1 + r.Next(3); k++)
                    {
                        var (parent, key) = slots[r.Next(slots.Count)];
                        var v = Weird(r, ids);
                        try
                        {
                            if (parent is JsonObject o) o[(string)key] = v; else ((JsonArray)parent)[(int)key] = v;
                        }
                        catch (InvalidOperationException) { }
                        slots = Slots(doc);
                    }
                    yield return new FuzzCase("/api/chatkit", "wrong types / odd values", attacker, "application/json", utf8.GetBytes(doc.ToJsonString()));
                    break;
                }
            }
        }
    }

}
