/**
 * The ChatKit wire protocol as the built-in chat speaks it: one POST endpoint, JSON requests {type, params},
 * JSON answers or server-sent events (`data: <json>` lines, one event per blank-line-terminated block).
 */
export interface Page<T> {
  data: T[];
  has_more: boolean;
  after?: string;
}

export interface ThreadMeta {
  id: string;
  title?: string;
  created_at: string;
  status?: { type: "active" | "locked" | "closed"; reason?: string };
}

export interface Thread extends ThreadMeta {
  items: Page<ThreadItem>;
}

export interface InputText { type: "input_text"; text: string }
export interface InputTag { type: "input_tag"; id: string; text: string; data?: Record<string, unknown>; group?: string; interactive?: boolean }
export interface OutputText { type: "output_text"; text: string; annotations?: unknown[] }

export interface WorkflowTask { type: string; title?: string; content?: string; status_indicator?: string; icon?: string }

export type ThreadItem =
  | { type: "user_message"; id: string; thread_id: string; created_at: string; content: (InputText | InputTag)[]; attachments?: unknown[]; quoted_text?: string }
  | { type: "assistant_message"; id: string; thread_id: string; created_at: string; content: OutputText[] }
  | { type: "widget"; id: string; thread_id: string; created_at: string; widget: WidgetNode; copy_text?: string }
  | { type: "workflow"; id: string; thread_id: string; created_at: string; workflow: { type: string; tasks: WorkflowTask[]; summary?: { title?: string; duration?: number }; expanded?: boolean } }
  | { type: "task"; id: string; thread_id: string; created_at: string; task: WorkflowTask }
  | { type: string; id: string; thread_id: string; created_at: string; [key: string]: unknown };

export interface WidgetNode {
  type: string;
  id?: string;
  key?: string;
  children?: WidgetNode[];
  [prop: string]: unknown;
}

export interface ItemUpdate {
  type: string;
  content_index?: number;
  content?: OutputText;
  delta?: string;
  component_id?: string;
  widget?: WidgetNode;
  component?: WidgetNode;
  done?: boolean;
  task_index?: number;
  task?: WorkflowTask;
}

export type StreamEvent =
  | { type: "thread.created"; thread: Thread }
  | { type: "thread.updated"; thread: Thread }
  | { type: "thread.item.added"; item: ThreadItem }
  | { type: "thread.item.done"; item: ThreadItem }
  | { type: "thread.item.replaced"; item: ThreadItem }
  | { type: "thread.item.removed"; item_id: string }
  | { type: "thread.item.updated"; item_id: string; update: ItemUpdate }
  | { type: "stream_options"; stream_options: { allow_cancel: boolean } }
  | { type: "progress_update"; icon?: string; text: string }
  | { type: "client_effect"; name: string; data?: unknown }
  | { type: "error"; code: string; message?: string; allow_retry: boolean }
  | { type: "notice"; level: "info" | "warning" | "danger"; message: string; title?: string };

export interface UserMessageInput {
  content: (InputText | InputTag)[];
  attachments: string[];
  quoted_text?: string;
  inference_options: Record<string, unknown>;
}

export const textInput = (text: string): UserMessageInput => ({
  content: [{ type: "input_text", text }],
  attachments: [],
  inference_options: {},
});

/**
 * Splits a byte stream of server-sent events into their data payloads. Only `data:` lines matter (ChatKit sends no
 * `event:` or `id:` lines); several data lines in one block are joined with "\n"; CRLF and LF both end lines.
 */
export async function* readSseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let data: string[] = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffer.search(/\r?\n|\r/)) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer[newline] === "\r" && buffer[newline + 1] === "\n" ? 2 : 1));
        if (line === "") {
          if (data.length) yield data.join("\n");
          data = [];
        } else if (line.startsWith("data:")) {
          data.push(line.slice(line[5] === " " ? 6 : 5));
        }
      }
    }
    buffer += decoder.decode();
    if (buffer.startsWith("data:")) data.push(buffer.slice(buffer[5] === " " ? 6 : 5));
    if (data.length) yield data.join("\n");
  } finally {
    reader.releaseLock();
  }
}

export class ProtocolError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

/** A client of the ChatKit endpoint; `fetch` adds the session token. */
export class ChatKitClient {
  constructor(private readonly url: string, private readonly fetchImpl: typeof fetch) {}

  async request<T>(type: string, params: Record<string, unknown> = {}): Promise<T> {
    const response = await this.post(type, params);
    return (await response.json()) as T;
  }

  async *stream(type: string, params: Record<string, unknown>, signal?: AbortSignal): AsyncGenerator<StreamEvent> {
    const response = await this.post(type, params, signal);
    if (!response.body) return;
    for await (const data of readSseData(response.body)) {
      try {
        yield JSON.parse(data) as StreamEvent;
      } catch {
        // a malformed event is skipped, the stream goes on
      }
    }
  }

  listThreads = (limit = 30, after?: string) => this.request<Page<ThreadMeta>>("threads.list", { limit, order: "desc", ...(after ? { after } : {}) });
  getThread = (threadId: string) => this.request<Thread>("threads.get_by_id", { thread_id: threadId });
  listItems = (threadId: string, after?: string, limit = 50) =>
    this.request<Page<ThreadItem>>("items.list", { thread_id: threadId, limit, order: "asc", ...(after ? { after } : {}) });
  renameThread = (threadId: string, title: string) => this.request<Thread>("threads.update", { thread_id: threadId, title });
  deleteThread = (threadId: string) => this.request<object>("threads.delete", { thread_id: threadId });

  /** A thread with all its items, oldest first. */
  async loadThread(threadId: string): Promise<Thread> {
    const thread = await this.getThread(threadId);
    const items = [...thread.items.data];
    let page = thread.items;
    for (let i = 0; page.has_more && page.after && i < 20; i++) {
      page = await this.listItems(threadId, page.after);
      items.push(...page.data);
    }
    return { ...thread, items: { data: items, has_more: false } };
  }

  private async post(type: string, params: Record<string, unknown>, signal?: AbortSignal): Promise<Response> {
    const response = await this.fetchImpl(this.url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
      body: JSON.stringify({ type, params, metadata: {} }),
      signal,
    });
    if (!response.ok) throw new ProtocolError(`${type} failed with HTTP ${response.status}`, response.status);
    return response;
  }
}

export interface ChatState {
  thread: ThreadMeta | null;
  items: ThreadItem[];
  progress: string | null;
  error: { message: string; allowRetry: boolean } | null;
  notice: { level: string; message: string; title?: string } | null;
}

export const emptyChat: ChatState = { thread: null, items: [], progress: null, error: null, notice: null };

/** Applies one stream event to the chat; pure, so the built-in chat's behaviour is testable without a browser. */
export function applyEvent(state: ChatState, event: StreamEvent): ChatState {
  switch (event.type) {
    case "thread.created":
    case "thread.updated": {
      const { items: _items, ...meta } = event.thread;
      return { ...state, thread: meta };
    }
    case "thread.item.added":
    case "thread.item.done":
    case "thread.item.replaced": {
      const index = state.items.findIndex((i) => i.id === event.item.id);
      const items = index >= 0 ? state.items.map((i, n) => (n === index ? event.item : i)) : [...state.items, event.item];
      return { ...state, items, progress: event.type === "thread.item.added" ? state.progress : null };
    }
    case "thread.item.removed":
      return { ...state, items: state.items.filter((i) => i.id !== event.item_id) };
    case "thread.item.updated":
      return { ...state, items: state.items.map((i) => (i.id === event.item_id ? applyUpdate(i, event.update) : i)) };
    case "progress_update":
      return { ...state, progress: event.text };
    case "error":
      return { ...state, progress: null, error: { message: event.message ?? errorText(event.code), allowRetry: event.allow_retry } };
    case "notice":
      return { ...state, notice: { level: event.level, message: event.message, title: event.title } };
    default:
      return state;
  }
}

function applyUpdate(item: ThreadItem, update: ItemUpdate): ThreadItem {
  if (item.type === "assistant_message") {
    const content = [...(item.content as OutputText[])];
    const index = update.content_index ?? 0;
    switch (update.type) {
      case "assistant_message.content_part.added":
      case "assistant_message.content_part.done":
        content[index] = update.content ?? { type: "output_text", text: "", annotations: [] };
        return { ...item, content } as ThreadItem;
      case "assistant_message.content_part.text_delta": {
        const part = content[index] ?? { type: "output_text", text: "", annotations: [] };
        content[index] = { ...part, text: part.text + (update.delta ?? "") };
        return { ...item, content } as ThreadItem;
      }
    }
    return item;
  }
  if (item.type === "widget") {
    const widget = item.widget as WidgetNode;
    switch (update.type) {
      case "widget.root.updated":
        return update.widget ? ({ ...item, widget: update.widget } as ThreadItem) : item;
      case "widget.component.updated":
        return update.component && update.component_id
          ? ({ ...item, widget: replaceNode(widget, update.component_id, () => update.component!) } as ThreadItem)
          : item;
      case "widget.streaming_text.value_delta":
        return update.component_id
          ? ({ ...item, widget: replaceNode(widget, update.component_id, (n) => ({ ...n, value: String(n.value ?? "") + (update.delta ?? "") })) } as ThreadItem)
          : item;
    }
    return item;
  }
  if (item.type === "workflow" && update.task && update.task_index !== undefined) {
    const workflow = item.workflow as { tasks: WorkflowTask[] };
    const tasks = [...workflow.tasks];
    tasks[update.task_index] = update.task;
    return { ...item, workflow: { ...workflow, tasks } } as ThreadItem;
  }
  return item;
}

function replaceNode(node: WidgetNode, id: string, replace: (n: WidgetNode) => WidgetNode): WidgetNode {
  if (node.id === id) return replace(node);
  if (!node.children) return node;
  return { ...node, children: node.children.map((c) => replaceNode(c, id, replace)) };
}

function errorText(code: string): string {
  return code === "stream.error" ? "Something went wrong while answering." : `The assistant stopped (${code}).`;
}

/** The plain text of a user message (tags as @title). */
export function userText(item: ThreadItem): string {
  if (item.type !== "user_message") return "";
  return (item.content as (InputText | InputTag)[]).map((p) => (p.type === "input_tag" ? `@${p.text}` : p.text)).join("");
}

export function assistantText(item: ThreadItem): string {
  if (item.type !== "assistant_message") return "";
  return (item.content as OutputText[]).map((p) => p.text).join("");
}

export interface Mention {
  id: string;
  title: string;
  group?: string;
  data?: Record<string, unknown>;
}

/**
 * The user's text with its @-mentions as input_tag parts: every "@Title" of a chosen mention becomes a tag, in the
 * order they appear; the rest stays input_text.
 */
export function contentWithMentions(text: string, mentions: Mention[]): (InputText | InputTag)[] {
  const parts: (InputText | InputTag)[] = [];
  let rest = text;
  for (;;) {
    let best: { index: number; mention: Mention } | null = null;
    for (const mention of mentions) {
      const index = rest.indexOf(`@${mention.title}`);
      if (index >= 0 && (!best || index < best.index || (index === best.index && mention.title.length > best.mention.title.length))) {
        best = { index, mention };
      }
    }
    if (!best) break;
    if (best.index > 0) parts.push({ type: "input_text", text: rest.slice(0, best.index) });
    const { id, title, group, data } = best.mention;
    parts.push({ type: "input_tag", id, text: title, data: data ?? {}, ...(group ? { group } : {}), interactive: false });
    rest = rest.slice(best.index + title.length + 1);
  }
  if (rest || parts.length === 0) parts.push({ type: "input_text", text: rest });
  return parts;
}
