"use client";

import { useCallback, useEffect, useMemo, useReducer, useState } from "react";
import { useRouter } from "next/navigation";
import { authClient, getBetterAuthToken } from "@/lib/auth-client";
import { ChatSession } from "@/lib/chat-session";
import { ChatKitClient } from "@/lib/chatkit-protocol";
import { lastThreadKey, searchTaskEntities } from "@/lib/chatkit-options";
import { loadChatKitScript } from "@/lib/chatkit-loader";
import { friendlyError } from "@/lib/errors";
import { TasksApi } from "@/lib/tasks-api";
import { BuiltInChat } from "./BuiltInChat";
import { ChatKitPanel } from "./ChatKitPanel";
import { TasksPanel } from "./TasksPanel";
import { Icon } from "./Icon";

export interface ChatAppProps {
  config: { domainKey: string; ui: "auto" | "chatkit" | "builtin"; scriptUrl: string; scriptTimeoutMs: number };
  user: { id: string; name: string; email: string };
}

type Mode = "loading" | "chatkit" | "builtin" | "unavailable";

/** The chat page: ChatKit (or the built-in chat when its script cannot load) beside the user's tasks. */
export function ChatApp({ config, user }: ChatAppProps) {
  const router = useRouter();
  const [mode, setMode] = useState<Mode>(config.ui === "builtin" ? "builtin" : "loading");
  const [banner, setBanner] = useState<{ status: number; text: string } | null>(null);
  const [tasksVersion, refreshTasks] = useReducer((n: number) => n + 1, 0);

  const session = useMemo(
    () =>
      new ChatSession({
        getAuthToken: getBetterAuthToken,
        onHttpError: (status) => setBanner({ status, text: friendlyError(status) }),
      }),
    [],
  );
  const tasksApi = useMemo(() => new TasksApi(session.fetch), [session]);
  const chatClient = useMemo(() => new ChatKitClient("/api/chatkit", session.fetch), [session]);
  const storageKey = lastThreadKey(user.id);
  const [initialThread] = useState(() => (typeof window === "undefined" ? null : localStorage.getItem(storageKey)));

  useEffect(() => {
    if (config.ui === "builtin") return;
    let cancelled = false;
    const timeout = config.ui === "chatkit" ? Math.max(config.scriptTimeoutMs, 15_000) : config.scriptTimeoutMs;
    void loadChatKitScript(config.scriptUrl, timeout).then((loaded) => {
      if (!cancelled) setMode(loaded ? "chatkit" : config.ui === "chatkit" ? "unavailable" : "builtin");
    });
    return () => {
      cancelled = true;
    };
  }, [config.ui, config.scriptUrl, config.scriptTimeoutMs]);

  const onResponseEnd = useCallback(() => refreshTasks(), []);
  const searchMentions = useCallback((query: string) => searchTaskEntities(session.fetch, "", query), [session]);
  const onThreadChange = useCallback(
    (threadId: string | null) => (threadId ? localStorage.setItem(storageKey, threadId) : localStorage.removeItem(storageKey)),
    [storageKey],
  );
  const onChatKitError = useCallback((error: Error) => {
    const status = Number((error as Error & { status?: number }).status ?? /\b([45]\d\d)\b/.exec(error.message)?.[1] ?? 0);
    setBanner({ status, text: status ? friendlyError(status) : error.message || friendlyError(0) });
  }, []);

  const signOut = async () => {
    await authClient.signOut();
    router.push("/sign-in");
    router.refresh();
  };

  return (
    <div className="app-shell" data-chat-mode={mode}>
      <header className="app-header">
        <div className="brand">
          <span className="logo" aria-hidden>✓</span> ChatKit Todo
        </div>
        <div className="user">
          <span data-testid="user-email">{user.email}</span>
          <button type="button" onClick={signOut}>Sign out</button>
        </div>
      </header>
      {banner ? (
        <div className="banner" role="alert" data-testid="banner">
          {banner.text}
          {banner.status === 401 ? <a href="/sign-in">Sign in</a> : null}
          <button type="button" aria-label="Dismiss" onClick={() => setBanner(null)}><Icon name="x" size={14} /></button>
        </div>
      ) : null}
      <main className="app-main">
        <section className="chat-area">
          {mode === "loading" ? <div className="chat-loading" role="status">Loading the chat…</div> : null}
          {mode === "unavailable" ? (
            <div className="chat-loading" role="alert">ChatKit could not be loaded from its CDN. Set CHATKIT_UI=auto or builtin to use the built-in chat.</div>
          ) : null}
          {mode === "chatkit" ? (
            <ChatKitPanel
              domainKey={config.domainKey}
              fetch={session.fetch}
              initialThread={initialThread}
              onThreadChange={onThreadChange}
              onResponseEnd={onResponseEnd}
              onError={onChatKitError}
            />
          ) : null}
          {mode === "builtin" ? <BuiltInChat client={chatClient} storageKey={storageKey} onResponseEnd={onResponseEnd} searchMentions={searchMentions} /> : null}
        </section>
        <TasksPanel api={tasksApi} version={tasksVersion} />
      </main>
    </div>
  );
}
