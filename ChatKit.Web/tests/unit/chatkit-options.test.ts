import { describe, expect, it, vi } from "vitest";
import { ACCENT, buildChatKitOptions, lastThreadKey, searchTaskEntities, START_PROMPTS } from "@/lib/chatkit-options";
import { ChatSession } from "@/lib/chat-session";

function fakeApi(secret = "cs_1") {
  const calls: { url: string; init?: RequestInit }[] = [];
  const fetchImpl = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, init });
    if (url.endsWith("/api/chatkit/session")) {
      return Response.json({ client_secret: secret, user_id: "u1", expires_at: new Date(Date.now() + 30 * 60_000).toISOString() });
    }
    return Response.json({ ok: true });
  });
  return { calls, fetchImpl: fetchImpl as unknown as typeof fetch };
}

function options(overrides: Partial<Parameters<typeof buildChatKitOptions>[0]> = {}) {
  const { fetchImpl } = fakeApi();
  return buildChatKitOptions({
    apiUrl: "http://localhost:3000/api/chatkit",
    domainKey: "domain_pk_test",
    fetch: fetchImpl,
    initialThread: null,
    searchEntities: async () => [],
    onThreadChange: () => {},
    onResponseEnd: () => {},
    onError: () => {},
    ...overrides,
  });
}

describe("the ChatKit options of the chat page", () => {
  it("point the api at the same-origin /api/chatkit with the configured domain key", () => {
    const api = options().api as { url: string; domainKey: string; uploadStrategy: unknown };
    expect(api.url).toBe("http://localhost:3000/api/chatkit");
    expect(api.domainKey).toBe("domain_pk_test");
    expect(api.uploadStrategy).toEqual({ type: "two_phase" });
  });

  it("use a fetch that adds the session token from /api/chatkit/session as a bearer token", async () => {
    const { calls, fetchImpl } = fakeApi("secret-abc");
    const session = new ChatSession({ getAuthToken: async () => "better-auth-jwt", fetch: fetchImpl });
    const api = options({ fetch: session.fetch }).api as { fetch: typeof fetch; url: string };

    await api.fetch(api.url, { method: "POST", body: "{}", headers: { "Content-Type": "application/json" } });

    expect(calls[0].url).toBe("/api/chatkit/session");
    expect(new Headers(calls[0].init?.headers).get("Authorization")).toBe("Bearer better-auth-jwt");
    const sent = new Headers(calls[1].init?.headers);
    expect(calls[1].url).toBe("http://localhost:3000/api/chatkit");
    expect(sent.get("Authorization")).toBe("Bearer secret-abc");
    expect(sent.get("Content-Type")).toBe("application/json");
  });

  it("use a light theme with the #2563eb accent", () => {
    const theme = options().theme as { colorScheme: string; color: { accent: { primary: string } } };
    expect(theme.colorScheme).toBe("light");
    expect(theme.color.accent.primary).toBe("#2563eb");
    expect(ACCENT).toBe("#2563eb");
  });

  it("offer the three start-screen prompts with pencil, list and lightbulb icons", () => {
    const prompts = options().startScreen?.prompts ?? [];
    expect(prompts.map((p) => [p.label, p.icon])).toEqual([
      ["Create a task", "lucide:pencil"],
      ["List tasks", "lucide:list"],
      ["Get help", "lightbulb"],
    ]);
    expect(prompts).toBe(START_PROMPTS);
    expect(prompts.every((p) => typeof p.prompt === "string" && p.prompt.length > 0)).toBe(true);
  });

  it("enable history with rename and delete, feedback and retry, attachments and @-mentions", () => {
    const o = options();
    expect(o.history).toEqual({ enabled: true, showDelete: true, showRename: true });
    expect(o.threadItemActions).toEqual({ feedback: true, retry: true });
    expect(o.composer?.attachments?.enabled).toBe(true);
    expect(typeof o.entities?.onTagSearch).toBe("function");
  });

  it("reopen the last thread and report thread changes, finished answers and errors", () => {
    const onThreadChange = vi.fn();
    const onResponseEnd = vi.fn();
    const onError = vi.fn();
    const o = options({ initialThread: "thr_1", onThreadChange, onResponseEnd, onError });
    expect(o.initialThread).toBe("thr_1");
    o.onThreadChange?.({ threadId: "thr_2" });
    o.onResponseEnd?.();
    o.onError?.({ error: new Error("boom") });
    expect(onThreadChange).toHaveBeenCalledWith("thr_2");
    expect(onResponseEnd).toHaveBeenCalledOnce();
    expect(onError).toHaveBeenCalledWith(new Error("boom"));
  });

  it("keep the last thread per user", () => {
    expect(lastThreadKey("alice")).not.toBe(lastThreadKey("bob"));
  });
});

describe("the @-mention search", () => {
  it("asks the entities search and turns its answer into entities", async () => {
    const fetchImpl = vi.fn(async () => Response.json({ entities: [{ id: "t1", title: "buy milk" }, { nope: true }] }));
    const entities = await searchTaskEntities(fetchImpl as unknown as typeof fetch, "http://app", "mil k");
    expect(fetchImpl).toHaveBeenCalledWith("http://app/api/chatkit/entities/search?q=mil%20k");
    expect(entities).toEqual([{ id: "t1", title: "buy milk", group: "Tasks", interactive: true }]);
  });

  it("gives no entities when the search fails", async () => {
    const fetchImpl = vi.fn(async () => new Response("", { status: 500 }));
    expect(await searchTaskEntities(fetchImpl as unknown as typeof fetch, "", "x")).toEqual([]);
  });
});
