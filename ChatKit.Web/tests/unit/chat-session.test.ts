import { describe, expect, it, vi } from "vitest";
import { ChatSession, expiryOf } from "@/lib/chat-session";

function api(handlers: Record<string, (init?: RequestInit) => Response>) {
  const calls: string[] = [];
  const fetchImpl = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    calls.push(url);
    const handler = Object.entries(handlers).find(([path]) => url.endsWith(path))?.[1];
    return handler ? handler(init) : new Response("not found", { status: 404 });
  });
  return { calls, fetchImpl: fetchImpl as unknown as typeof fetch };
}

const secretFor = (value: string, expiresInMs: number, now: number) =>
  Response.json({ client_secret: value, user_id: "u1", expires_at: new Date(now + expiresInMs).toISOString() });

describe("the chat session token", () => {
  it("is fetched once and reused while it is valid", async () => {
    let now = 1_000_000;
    const { calls, fetchImpl } = api({ "/api/chatkit/session": () => secretFor("s1", 30 * 60_000, now), "/api/chatkit": () => Response.json({}) });
    const session = new ChatSession({ getAuthToken: async () => "jwt", fetch: fetchImpl, now: () => now });
    expect(await session.clientSecret()).toBe("s1");
    now += 10 * 60_000;
    expect(await session.clientSecret()).toBe("s1");
    expect(calls.filter((c) => c.endsWith("/session"))).toHaveLength(1);
  });

  it("is renewed through /api/chatkit/refresh shortly before it expires, with the user's Better Auth JWT", async () => {
    let now = 1_000_000;
    const bodies: unknown[] = [];
    const bearers: (string | null)[] = [];
    const { calls, fetchImpl } = api({
      "/api/chatkit/session": () => secretFor("s1", 30 * 60_000, now),
      "/api/chatkit/refresh": (init) => {
        bodies.push(JSON.parse(String(init?.body)));
        bearers.push(new Headers(init?.headers).get("Authorization"));
        return secretFor("s2", 30 * 60_000, now);
      },
    });
    const session = new ChatSession({ getAuthToken: async () => "jwt", fetch: fetchImpl, now: () => now, renewBeforeMs: 60_000 });
    await session.clientSecret();
    now += 29.5 * 60_000; // inside the last minute
    expect(await session.clientSecret()).toBe("s2");
    expect(bodies).toEqual([{ token: "s1" }]);
    // The API refreshes only for the session's user with a valid Better Auth JWT: never the session token alone.
    expect(bearers).toEqual(["Bearer jwt"]);
    expect(calls.at(-1)).toBe("/api/chatkit/refresh");
  });

  it("starts a new session when the refresh is refused", async () => {
    let now = 1_000_000;
    let n = 0;
    const { fetchImpl } = api({
      "/api/chatkit/session": () => secretFor(`s${++n}`, 30 * 60_000, now),
      "/api/chatkit/refresh": () => new Response("", { status: 401 }),
    });
    const session = new ChatSession({ getAuthToken: async () => "jwt", fetch: fetchImpl, now: () => now });
    await session.clientSecret();
    now += 31 * 60_000;
    expect(await session.clientSecret()).toBe("s2");
  });

  it("renews the token once and repeats a request the API answered with 401", async () => {
    let n = 0;
    const seen: (string | null)[] = [];
    const { fetchImpl } = api({
      "/api/chatkit/session": () => secretFor(`s${++n}`, 30 * 60_000, Date.now()),
      "/api/tasks": (init) => {
        const auth = new Headers(init?.headers).get("Authorization");
        seen.push(auth);
        return auth === "Bearer s2" ? Response.json({ tasks: [] }) : new Response("", { status: 401 });
      },
    });
    const session = new ChatSession({ getAuthToken: async () => "jwt", fetch: fetchImpl });
    const response = await session.fetch("/api/tasks");
    expect(response.status).toBe(200);
    expect(seen).toEqual(["Bearer s1", "Bearer s2"]);
  });

  it("reports failed answers with their status, and fails when the user is signed out", async () => {
    const errors: number[] = [];
    const { fetchImpl } = api({ "/api/chatkit/session": () => secretFor("s1", 60 * 60_000, Date.now()), "/api/tasks": () => new Response("", { status: 429 }) });
    const session = new ChatSession({ getAuthToken: async () => "jwt", fetch: fetchImpl, onHttpError: (s) => errors.push(s) });
    expect((await session.fetch("/api/tasks")).status).toBe(429);
    expect(errors).toEqual([429]);

    const signedOut = new ChatSession({ getAuthToken: async () => null, fetch: fetchImpl, onHttpError: (s) => errors.push(s) });
    await expect(signedOut.fetch("/api/tasks")).rejects.toThrow(/signed out/);
    expect(errors).toEqual([429, 401]);
  });

  it("reads the expiry from expires_at, or else from the token's exp", () => {
    expect(expiryOf("x", "2030-01-01T00:00:00Z", 0)).toBe(Date.parse("2030-01-01T00:00:00Z"));
    expect(expiryOf("x", 1_900_000_000, 0)).toBe(1_900_000_000_000);
    const jwt = `e30.${btoa(JSON.stringify({ exp: 1_800_000_000 })).replace(/=+$/, "")}.sig`;
    expect(expiryOf(jwt, undefined, 0)).toBe(1_800_000_000_000);
    expect(expiryOf("opaque", undefined, 1000)).toBe(1000 + 5 * 60_000);
  });
});
