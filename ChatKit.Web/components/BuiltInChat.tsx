"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { START_PROMPTS, GREETING, COMPOSER_PLACEHOLDER } from "@/lib/chatkit-options";
import {
  applyEvent,
  assistantText,
  contentWithMentions,
  emptyChat,
  ProtocolError,
  userText,
  type ChatKitClient,
  type ChatState,
  type Mention,
  type StreamEvent,
  type ThreadItem,
  type ThreadMeta,
  type WidgetNode,
  type WorkflowTask,
} from "@/lib/chatkit-protocol";
import { friendlyError } from "@/lib/errors";
import { Icon, iconFor } from "./Icon";
import { WidgetView, type WidgetAction } from "./WidgetView";

interface Props {
  client: ChatKitClient;
  storageKey: string;
  onResponseEnd: () => void;
  /** Tasks matching the text after "@" (the entities search). */
  searchMentions: (query: string) => Promise<Mention[]>;
}

/** The "@query" being typed at the end of the composer's text, if any. */
const MENTION_QUERY = /(^|\s)@([^\s@]{0,40})$/;

/**
 * Our own chat, for when ChatKit's script cannot load: the same protocol against the same endpoint. Thread list with
 * rename and delete, streamed answers, progress updates, widgets with working buttons, retry and stop.
 */
export function BuiltInChat({ client, storageKey, onResponseEnd, searchMentions }: Props) {
  const [threads, setThreads] = useState<ThreadMeta[]>([]);
  const [threadsLoaded, setThreadsLoaded] = useState(false);
  const [chat, setChat] = useState<ChatState>(emptyChat);
  const [streaming, setStreaming] = useState(false);
  const [input, setInput] = useState("");
  const [loadError, setLoadError] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<{ id: string; title: string } | null>(null);
  const [mentions, setMentions] = useState<Mention[]>([]);
  const [suggestions, setSuggestions] = useState<Mention[]>([]);
  const [highlighted, setHighlighted] = useState(0);
  const abortRef = useRef<AbortController | null>(null);
  const endRef = useRef<HTMLDivElement | null>(null);
  const chatRef = useRef(chat);
  chatRef.current = chat;
  // Bumped by every local change to the list, so that an older threads.list answer does not undo it.
  const listVersion = useRef(0);
  const changeThreads = useCallback((change: (list: ThreadMeta[]) => ThreadMeta[]) => {
    listVersion.current++;
    setThreads(change);
  }, []);

  const refreshThreads = useCallback(async () => {
    const version = listVersion.current;
    try {
      const page = await client.listThreads();
      if (version === listVersion.current) setThreads(page.data);
      setThreadsLoaded(true);
    } catch (error) {
      setLoadError(messageOf(error));
    }
  }, [client]);

  // Bumped when a thread is opened or a message is sent: a thread that loads after that is not shown.
  const viewSeq = useRef(0);

  const openThread = useCallback(
    async (threadId: string | null) => {
      abortRef.current?.abort();
      const seq = ++viewSeq.current;
      setLoadError(null);
      if (!threadId) {
        setChat(emptyChat);
        localStorage.removeItem(storageKey);
        return;
      }
      try {
        const thread = await client.loadThread(threadId);
        if (seq !== viewSeq.current) return;
        const { items, ...meta } = thread;
        setChat({ ...emptyChat, thread: meta, items: items.data });
        localStorage.setItem(storageKey, threadId);
      } catch (error) {
        if (seq !== viewSeq.current) return;
        if (error instanceof ProtocolError && error.status === 404) {
          localStorage.removeItem(storageKey);
          setChat(emptyChat);
        } else {
          setLoadError(messageOf(error));
        }
      }
    },
    [client, storageKey],
  );

  useEffect(() => {
    void refreshThreads();
    const last = localStorage.getItem(storageKey);
    if (last) void openThread(last);
  }, [refreshThreads, openThread, storageKey]);

  useEffect(() => {
    endRef.current?.scrollIntoView?.({ block: "end" });
  }, [chat.items, chat.progress]);

  const run = useCallback(
    async (type: string, params: Record<string, unknown>) => {
      const controller = new AbortController();
      abortRef.current = controller;
      viewSeq.current++;
      setStreaming(true);
      setChat((s) => ({ ...s, error: null, notice: null }));
      try {
        for await (const event of client.stream(type, params, controller.signal)) {
          setChat((s) => applyEvent(s, event));
          if (event.type === "thread.created") {
            localStorage.setItem(storageKey, event.thread.id);
            changeThreads((list) => [threadMetaOf(event), ...list.filter((t) => t.id !== event.thread.id)]);
          } else if (event.type === "thread.updated") {
            changeThreads((list) => list.map((t) => (t.id === event.thread.id ? threadMetaOf(event) : t)));
          }
        }
      } catch (error) {
        if (!controller.signal.aborted) setChat((s) => ({ ...s, error: { message: messageOf(error), allowRetry: true } }));
      } finally {
        if (abortRef.current === controller) abortRef.current = null;
        setStreaming(false);
        setChat((s) => ({ ...s, progress: null }));
        onResponseEnd();
        void refreshThreads();
      }
    },
    [client, storageKey, onResponseEnd, changeThreads, refreshThreads],
  );

  const send = useCallback(
    async (text: string) => {
      const trimmed = text.trim();
      if (!trimmed || streaming) return;
      setInput("");
      setSuggestions([]);
      setMentions([]);
      const thread = chatRef.current.thread;
      await run(thread ? "threads.add_user_message" : "threads.create", {
        ...(thread ? { thread_id: thread.id } : {}),
        input: { content: contentWithMentions(trimmed, mentions), attachments: [], inference_options: {} },
      });
    },
    [run, streaming, mentions],
  );

  const retry = useCallback(async () => {
    const { thread, items } = chatRef.current;
    const lastUser = [...items].reverse().find((i) => i.type === "user_message");
    if (!thread || !lastUser) return;
    setChat((s) => ({ ...s, items: s.items.slice(0, s.items.findIndex((i) => i.id === lastUser.id) + 1) }));
    await run("threads.retry_after_item", { thread_id: thread.id, item_id: lastUser.id });
  }, [run]);

  const act = useCallback(
    async (action: WidgetAction, itemId: string) => {
      const thread = chatRef.current.thread;
      if (!thread || streaming) return;
      await run("threads.custom_action", { thread_id: thread.id, item_id: itemId, action: { type: action.type, payload: action.payload ?? {} } });
    },
    [run, streaming],
  );

  const rename = async (id: string, title: string) => {
    setRenaming(null);
    if (!title.trim()) return;
    try {
      await client.renameThread(id, title.trim());
      changeThreads((list) => list.map((t) => (t.id === id ? { ...t, title: title.trim() } : t)));
      setChat((s) => (s.thread?.id === id ? { ...s, thread: { ...s.thread, title: title.trim() } } : s));
    } catch (error) {
      setLoadError(messageOf(error));
    }
  };

  const remove = async (id: string) => {
    if (!window.confirm("Delete this conversation?")) return;
    try {
      await client.deleteThread(id);
      changeThreads((list) => list.filter((t) => t.id !== id));
      if (chatRef.current.thread?.id === id) await openThread(null);
    } catch (error) {
      setLoadError(messageOf(error));
    }
  };

  useEffect(() => {
    const query = MENTION_QUERY.exec(input)?.[2];
    if (query === undefined) {
      setSuggestions([]);
      return;
    }
    let cancelled = false;
    const timer = setTimeout(() => {
      searchMentions(query)
        .then((found) => {
          if (!cancelled) {
            setSuggestions(found.slice(0, 8));
            setHighlighted(0);
          }
        })
        .catch(() => setSuggestions([]));
    }, 120);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [input, searchMentions]);

  const chooseMention = (mention: Mention) => {
    setInput((text) => text.replace(MENTION_QUERY, (_, space: string) => `${space}@${mention.title} `));
    setMentions((list) => [...list.filter((m) => m.id !== mention.id), mention]);
    setSuggestions([]);
  };

  const visible = chat.items.filter((i) => ["user_message", "assistant_message", "widget", "workflow", "task"].includes(i.type));

  return (
    <div className="builtin-chat" data-testid="builtin-chat">
      <aside className="thread-list" aria-label="Conversations">
        <button type="button" className="new-chat" onClick={() => openThread(null)} disabled={streaming}>
          + New chat
        </button>
        <ul data-testid="thread-list" data-loaded={threadsLoaded}>
          {threads.map((t) => (
            <li key={t.id} className={t.id === chat.thread?.id ? "active" : ""} data-thread-id={t.id}>
              {renaming?.id === t.id ? (
                <form onSubmit={(e) => (e.preventDefault(), rename(t.id, renaming.title))}>
                  <input
                    autoFocus
                    aria-label="Conversation title"
                    value={renaming.title}
                    onChange={(e) => setRenaming({ id: t.id, title: e.target.value })}
                    onBlur={() => rename(t.id, renaming.title)}
                  />
                </form>
              ) : (
                <>
                  <button type="button" className="thread-title" onClick={() => openThread(t.id)} disabled={streaming}>
                    {t.title || "New conversation"}
                  </button>
                  <button type="button" className="icon" title="Rename" aria-label="Rename conversation" onClick={() => setRenaming({ id: t.id, title: t.title ?? "" })}>
                    <Icon name="pencil" size={14} />
                  </button>
                  <button type="button" className="icon" title="Delete" aria-label="Delete conversation" onClick={() => remove(t.id)}>
                    <Icon name="trash" size={14} />
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      </aside>

      <section className="conversation" aria-label="Chat">
        <div className="messages" data-testid="messages">
          {visible.length === 0 && !streaming ? (
            <div className="start-screen">
              <h2>{GREETING}</h2>
              <div className="prompts">
                {START_PROMPTS.map((p) => (
                  <button key={p.label} type="button" className="prompt" onClick={() => send(String(p.prompt))}>
                    <Icon name={iconFor(p.icon)} /> {p.label}
                  </button>
                ))}
              </div>
            </div>
          ) : null}
          {visible.map((item) => (
            <Item key={item.id} item={item} busy={streaming} onAction={(a) => act(a, item.id)} />
          ))}
          {chat.progress ? (
            <div className="progress" data-testid="progress" role="status">
              <span className="spinner" aria-hidden /> {chat.progress}
            </div>
          ) : streaming && !visible.some((i) => i.type === "assistant_message" && !assistantText(i)) ? (
            <div className="progress" role="status"><span className="spinner" aria-hidden /> Thinking…</div>
          ) : null}
          {chat.notice ? <div className={`notice notice-${chat.notice.level}`}>{chat.notice.title ? <b>{chat.notice.title}: </b> : null}{chat.notice.message}</div> : null}
          {chat.error ? (
            <div className="chat-error" role="alert" data-testid="chat-error">
              {chat.error.message}
              {chat.error.allowRetry ? <button type="button" onClick={retry}>Retry</button> : null}
            </div>
          ) : null}
          {loadError ? <div className="chat-error" role="alert">{loadError}</div> : null}
          <div ref={endRef} />
        </div>
        {suggestions.length ? (
          <ul className="mention-menu" role="listbox" aria-label="Tasks to mention" data-testid="mention-menu">
            {suggestions.map((m, i) => (
              <li key={m.id} role="option" aria-selected={i === highlighted}>
                <button type="button" className={i === highlighted ? "active" : ""} onMouseDown={(e) => e.preventDefault()} onClick={() => chooseMention(m)}>
                  <span className="mention-title">{m.title}</span>
                  {m.group ? <span className="mention-group">{m.group}</span> : null}
                </button>
              </li>
            ))}
          </ul>
        ) : null}
        <form
          className="composer"
          onSubmit={(e) => {
            e.preventDefault();
            void send(input);
          }}
        >
          <textarea
            aria-label="Message"
            placeholder={COMPOSER_PLACEHOLDER}
            value={input}
            rows={1}
            onChange={(e) => setInput(e.target.value)}
            onKeyDown={(e) => {
              if (suggestions.length && (e.key === "ArrowDown" || e.key === "ArrowUp")) {
                e.preventDefault();
                const step = e.key === "ArrowDown" ? 1 : suggestions.length - 1;
                setHighlighted((i) => (i + step) % suggestions.length);
                return;
              }
              if (suggestions.length && (e.key === "Enter" || e.key === "Tab")) {
                e.preventDefault();
                chooseMention(suggestions[highlighted] ?? suggestions[0]);
                return;
              }
              if (e.key === "Escape") setSuggestions([]);
              if (e.key === "Enter" && !e.shiftKey) {
                e.preventDefault();
                void send(input);
              }
            }}
          />
          {streaming ? (
            <button type="button" className="stop" onClick={() => abortRef.current?.abort()}>Stop</button>
          ) : (
            <button type="submit" disabled={!input.trim()}>Send</button>
          )}
        </form>
      </section>
    </div>
  );
}

function Item({ item, busy, onAction }: { item: ThreadItem; busy: boolean; onAction: (a: WidgetAction) => void }) {
  switch (item.type) {
    case "user_message":
      return <div className="message user" data-role="user">{userText(item)}</div>;
    case "assistant_message":
      return <div className="message assistant" data-role="assistant">{assistantText(item)}</div>;
    case "widget":
      return (
        <div className="message widget" data-role="widget">
          <WidgetView node={item.widget as WidgetNode} onAction={onAction} busy={busy} />
        </div>
      );
    case "workflow": {
      const workflow = item.workflow as { tasks: WorkflowTask[]; summary?: { title?: string; duration?: number } };
      return (
        <details className="workflow">
          <summary>{workflow.summary?.title ?? (workflow.summary?.duration ? `Worked for ${workflow.summary.duration}s` : "Working…")}</summary>
          <ul>{workflow.tasks.map((t, i) => <li key={i}>{t.title ?? t.content}</li>)}</ul>
        </details>
      );
    }
    case "task": {
      const task = item.task as WorkflowTask;
      return <div className="task-note">{task.title ?? task.content}</div>;
    }
    default:
      return null;
  }
}

function threadMetaOf(event: StreamEvent): ThreadMeta {
  const { items: _items, ...meta } = (event as { thread: ThreadMeta & { items?: unknown } }).thread;
  return meta;
}

function messageOf(error: unknown): string {
  if (error instanceof ProtocolError) return friendlyError(error.status);
  if (error && typeof error === "object" && "status" in error && typeof error.status === "number") return friendlyError(error.status);
  return friendlyError(0);
}
