import { describe, expect, it, vi } from "vitest";
import { applyEvent, assistantText, ChatKitClient, emptyChat, readSseData, type StreamEvent } from "@/lib/chatkit-protocol";

function streamOf(...chunks: string[]) {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(encoder.encode(c));
      controller.close();
    },
  });
}

async function collect(stream: ReadableStream<Uint8Array>) {
  const out: string[] = [];
  for await (const d of readSseData(stream)) out.push(d);
  return out;
}

describe("reading server-sent events", () => {
  it("yields each data payload, across chunk boundaries", async () => {
    expect(await collect(streamOf('data: {"a":', '1}\n\ndata: {"b":2}\n', "\n"))).toEqual(['{"a":1}', '{"b":2}']);
  });

  it("handles CRLF, multi-line data, comments and a last event without a blank line", async () => {
    expect(await collect(streamOf(": hi\r\ndata: x\r\ndata: y\r\n\r\nevent: e\ndata:z"))).toEqual(["x\ny", "z"]);
  });

  it("decodes UTF-8 split between chunks", async () => {
    const bytes = new TextEncoder().encode("data: “milk”\n\n");
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes.slice(0, 7));
        c.enqueue(bytes.slice(7));
        c.close();
      },
    });
    expect(await collect(stream)).toEqual(["“milk”"]);
  });
});

const msg = { id: "msg_1", thread_id: "thr_1", created_at: "2026-01-01T00:00:00Z" };

describe("applying stream events to the built-in chat", () => {
  it("streams an assistant answer from deltas and finishes it", () => {
    const events: StreamEvent[] = [
      { type: "thread.created", thread: { id: "thr_1", created_at: msg.created_at, items: { data: [], has_more: false } } },
      { type: "progress_update", text: "Adding “milk”…" },
      { type: "thread.item.added", item: { ...msg, type: "assistant_message", content: [] } },
      { type: "thread.item.updated", item_id: "msg_1", update: { type: "assistant_message.content_part.added", content_index: 0, content: { type: "output_text", text: "", annotations: [] } } },
      { type: "thread.item.updated", item_id: "msg_1", update: { type: "assistant_message.content_part.text_delta", content_index: 0, delta: "Added " } },
      { type: "thread.item.updated", item_id: "msg_1", update: { type: "assistant_message.content_part.text_delta", content_index: 0, delta: "milk." } },
    ];
    const state = events.reduce(applyEvent, emptyChat);
    expect(state.thread?.id).toBe("thr_1");
    expect(state.progress).toBe("Adding “milk”…");
    expect(assistantText(state.items[0])).toBe("Added milk.");

    const done = applyEvent(state, { type: "thread.item.done", item: { ...msg, type: "assistant_message", content: [{ type: "output_text", text: "Added milk!" }] } });
    expect(done.items).toHaveLength(1);
    expect(assistantText(done.items[0])).toBe("Added milk!");
    expect(done.progress).toBeNull();
  });

  it("replaces a widget's root and removes items", () => {
    const widget = { ...msg, type: "widget", widget: { type: "ListView", children: [] } };
    let state = applyEvent(emptyChat, { type: "thread.item.done", item: widget });
    state = applyEvent(state, { type: "thread.item.updated", item_id: "msg_1", update: { type: "widget.root.updated", widget: { type: "ListView", children: [{ type: "Text", value: "x" }] } } });
    expect((state.items[0] as { widget: { children: unknown[] } }).widget.children).toHaveLength(1);
    state = applyEvent(state, { type: "thread.item.removed", item_id: "msg_1" });
    expect(state.items).toEqual([]);
  });

  it("shows an error event with its retry flag", () => {
    const state = applyEvent({ ...emptyChat, progress: "x" }, { type: "error", code: "stream.error", allow_retry: true });
    expect(state.error).toEqual({ message: "Something went wrong while answering.", allowRetry: true });
    expect(state.progress).toBeNull();
  });
});

describe("the protocol client", () => {
  it("posts {type, params, metadata} and parses the event stream", async () => {
    const fetchImpl = vi.fn(async () => new Response('data: {"type":"progress_update","text":"hi"}\n\n', { headers: { "content-type": "text/event-stream" } }));
    const client = new ChatKitClient("/api/chatkit", fetchImpl as unknown as typeof fetch);
    const events = [];
    for await (const e of client.stream("threads.create", { input: { content: [] } })) events.push(e);
    expect(events).toEqual([{ type: "progress_update", text: "hi" }]);
    const [url, init] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/chatkit");
    expect(JSON.parse(String(init.body))).toEqual({ type: "threads.create", params: { input: { content: [] } }, metadata: {} });
  });

  it("loads every page of a long thread, oldest first", async () => {
    const fetchImpl = vi.fn(async (_: unknown, init?: RequestInit) => {
      const { type, params } = JSON.parse(String(init?.body));
      if (type === "threads.get_by_id") return Response.json({ id: params.thread_id, created_at: "", items: { data: [{ id: "a" }], has_more: true, after: "a" } });
      return Response.json({ data: [{ id: "b" }], has_more: false });
    });
    const thread = await new ChatKitClient("/api/chatkit", fetchImpl as unknown as typeof fetch).loadThread("thr_1");
    expect(thread.items.data.map((i) => i.id)).toEqual(["a", "b"]);
    expect(JSON.parse(String((fetchImpl.mock.calls[1] as unknown as [string, RequestInit])[1].body)).params).toMatchObject({ thread_id: "thr_1", after: "a", order: "asc" });
  });
});

describe("@-mentions in the built-in chat", () => {
  const milk = { id: "task_1", title: "buy milk", group: "Open tasks", data: { task_id: "1" } };
  const bread = { id: "task_2", title: "buy bread" };

  it("become input_tag parts between the text", async () => {
    const { contentWithMentions } = await import("@/lib/chatkit-protocol");
    expect(contentWithMentions("complete @buy milk and @buy bread now", [bread, milk])).toEqual([
      { type: "input_text", text: "complete " },
      { type: "input_tag", id: "task_1", text: "buy milk", data: { task_id: "1" }, group: "Open tasks", interactive: false },
      { type: "input_text", text: " and " },
      { type: "input_tag", id: "task_2", text: "buy bread", data: {}, interactive: false },
      { type: "input_text", text: " now" },
    ]);
  });

  it("leave text without chosen mentions as it is", async () => {
    const { contentWithMentions } = await import("@/lib/chatkit-protocol");
    expect(contentWithMentions("mail @someone", [milk])).toEqual([{ type: "input_text", text: "mail @someone" }]);
  });
});
