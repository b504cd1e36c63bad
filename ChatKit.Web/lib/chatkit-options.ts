import type { Entity, StartScreenPrompt, UseChatKitOptions } from "@openai/chatkit-react";

export const ACCENT = "#2563eb";

export const START_PROMPTS: StartScreenPrompt[] = [
  { label: "Create a task", prompt: "Create a task to buy groceries", icon: "lucide:pencil" },
  { label: "List tasks", prompt: "What's on my list?", icon: "lucide:list" },
  { label: "Get help", prompt: "What can you do?", icon: "lightbulb" },
];

export const GREETING = "What do you need to get done?";
export const COMPOSER_PLACEHOLDER = "Ask about your tasks, or @-mention one";

/** The attachments the API accepts (kept in step with its limits). */
export const ATTACHMENTS = {
  enabled: true,
  maxCount: 4,
  maxSize: 10 * 1024 * 1024,
  accept: {
    "image/*": [".png", ".jpg", ".jpeg", ".gif", ".webp"],
    "application/pdf": [".pdf"],
    "text/plain": [".txt"],
    "text/markdown": [".md"],
    "text/csv": [".csv"],
    "application/json": [".json"],
  },
};

export interface ChatKitOptionsInput {
  /** Absolute URL of the protocol endpoint (the same-origin proxy of the API's /api/chatkit). */
  apiUrl: string;
  domainKey: string;
  /** Adds the session token; see ChatSession.fetch. */
  fetch: typeof fetch;
  initialThread: string | null;
  searchEntities: (query: string) => Promise<Entity[]>;
  onThreadChange: (threadId: string | null) => void;
  onResponseEnd: () => void;
  onError: (error: Error) => void;
}

/** Everything the chat page passes to useChatKit. */
export function buildChatKitOptions(input: ChatKitOptionsInput): UseChatKitOptions {
  return {
    api: {
      url: input.apiUrl,
      domainKey: input.domainKey,
      fetch: input.fetch,
      uploadStrategy: { type: "two_phase" },
    },
    theme: {
      colorScheme: "light",
      radius: "round",
      density: "normal",
      color: { accent: { primary: ACCENT, level: 2 } },
    },
    initialThread: input.initialThread,
    header: { enabled: true, title: { text: "Tasks assistant" } },
    history: { enabled: true, showDelete: true, showRename: true },
    startScreen: { greeting: GREETING, prompts: START_PROMPTS },
    composer: { placeholder: COMPOSER_PLACEHOLDER, attachments: ATTACHMENTS },
    threadItemActions: { feedback: true, retry: true },
    entities: { onTagSearch: input.searchEntities, showComposerMenu: true },
    onThreadChange: ({ threadId }) => input.onThreadChange(threadId),
    onResponseEnd: () => input.onResponseEnd(),
    onError: ({ error }) => input.onError(error),
  };
}

/** The entity search the composer's @-menu calls: tasks matching the text. */
export async function searchTaskEntities(fetchImpl: typeof fetch, baseUrl: string, query: string): Promise<Entity[]> {
  const response = await fetchImpl(`${baseUrl}/api/chatkit/entities/search?q=${encodeURIComponent(query)}`);
  if (!response.ok) return [];
  const body = await response.json();
  const list: unknown[] = Array.isArray(body) ? body : (body.entities ?? body.data ?? body.results ?? []);
  return list.filter(isEntity).map((e) => ({ ...e, group: e.group ?? "Tasks", interactive: e.interactive ?? true }));
}

function isEntity(value: unknown): value is Entity {
  return typeof value === "object" && value !== null && typeof (value as Entity).id === "string" && typeof (value as Entity).title === "string";
}

export const lastThreadKey = (userId: string) => `chatkit:last-thread:${userId}`;
