import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { apiPathFor, isPlainRequestPath } from "@/lib/proxy";
import { GET as chatkitGet, POST as chatkitPost } from "@/app/api/chatkit/[[...path]]/route";
import { GET as tasksGet } from "@/app/api/tasks/[[...path]]/route";

const context = (path?: string[]) => ({ params: Promise.resolve(path ? { path } : {}) });

describe("the API path of a proxied request", () => {
  it.each([
    ["/api/chatkit", [], "/api/chatkit"],
    ["/api/chatkit", ["session"], "/api/chatkit/session"],
    ["/api/chatkit", ["threads", "thr_0123abcd"], "/api/chatkit/threads/thr_0123abcd"],
    ["/api/chatkit", ["attachments", "atc_0123456789abcdef01234567", "upload"], "/api/chatkit/attachments/atc_0123456789abcdef01234567/upload"],
    ["/api/tasks", ["42", "complete"], "/api/tasks/42/complete"],
  ] as const)("%s + %j is %s", (prefix, segments, path) => {
    expect(apiPathFor(prefix, segments)).toBe(path);
  });

  // Next.js hands the route its segments decoded: %2e%2e arrives as "..", %2f as "/".
  it.each([
    [[".."]], [["."]], [["threads", ".."]], [["..", "..", "dev", "token"]], [["%2e%2e"]], [["%2E."]], [["a/b"]], [["..%2f"]],
    [["a\\b"]], [["%252e%252e"]], [[""]], [["x".repeat(129)]], [["th r"]], [["thr_1?x=1"]], [["thr_1#x"]], [["é"]],
  ])("refuses %j", (segments) => {
    expect(apiPathFor("/api/chatkit", segments)).toBeNull();
    expect(apiPathFor("/api/tasks", segments)).toBeNull();
  });

  it("refuses a prefix outside the allowed ones", () => {
    expect(apiPathFor("/api/dev" as "/api/tasks", ["token"])).toBeNull();
    expect(apiPathFor("/api" as "/api/tasks", ["chatkit"])).toBeNull();
  });

  it.each([
    ["/api/chatkit/threads/thr_1", true],
    ["/api/chatkit/../tasks", false],
    ["/api/chatkit/%2e%2e/tasks", false],
    ["/api/chatkit/%2E%2e/tasks", false],
    ["/api/chatkit/.%2e/tasks", false],
    ["/api/chatkit/./session", false],
    ["/api/chatkit/a%2fb", false],
    ["/api/chatkit/a%5Cb", false],
  ])("a raw request path %s is plain: %s", (path, plain) => {
    expect(isPlainRequestPath(path)).toBe(plain);
  });
});

describe("the proxy routes", () => {
  const upstream = vi.fn(async () => Response.json({ ok: true }));

  beforeEach(() => {
    vi.stubEnv("API_URL", "http://api.test");
    vi.stubGlobal("fetch", upstream);
    upstream.mockClear();
  });

  afterEach(() => {
    vi.unstubAllEnvs();
    vi.unstubAllGlobals();
  });

  it("forwards a plain path under its prefix, with the query", async () => {
    const response = await chatkitGet(new Request("http://web.test/api/chatkit/threads/thr_1?limit=5"), context(["threads", "thr_1"]));
    expect(response.status).toBe(200);
    expect(upstream).toHaveBeenCalledOnce();
    expect(String((upstream.mock.calls[0] as unknown[])[0])).toBe("http://api.test/api/chatkit/threads/thr_1?limit=5");
  });

  const traced = { headers: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", tracestate: "a=1" } };
  const sentHeaders = () => new Headers(((upstream.mock.calls[0] as unknown[])[1] as RequestInit).headers);

  it("passes the browser's trace context on when the web server does not trace", async () => {
    await chatkitGet(new Request("http://web.test/api/chatkit/threads/thr_1", traced), context(["threads", "thr_1"]));
    expect(sentHeaders().get("traceparent")).toBe(traced.headers.traceparent);
    expect(sentHeaders().get("tracestate")).toBe("a=1");
  });

  it("leaves the trace headers to the fetch instrumentation when the web server traces", async () => {
    vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:4318");
    await chatkitGet(new Request("http://web.test/api/chatkit/threads/thr_1", traced), context(["threads", "thr_1"]));
    expect(sentHeaders().has("traceparent")).toBe(false);
    expect(sentHeaders().has("tracestate")).toBe(false);
  });

  it.each([
    ["/api/chatkit/../tasks", ["..", "tasks"]],
    ["/api/chatkit/%2e%2e/dev/token", ["..", "dev", "token"]],
    ["/api/chatkit/%2e%2e%2f%2e%2e%2fhealth", ["../../health"]],
    ["/api/chatkit/./session", [".", "session"]],
  ])("refuses %s with a 400 and sends nothing on", async (url, segments) => {
    const response = await chatkitPost(new Request(`http://web.test${url}`, { method: "POST", body: "{}" }), context(segments));
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(upstream).not.toHaveBeenCalled();
  });

  it("refuses dot segments on the tasks route too", async () => {
    const response = await tasksGet(new Request("http://web.test/api/tasks/%2e%2e"), context([".."]));
    expect(response.status).toBe(400);
    expect(upstream).not.toHaveBeenCalled();
  });
});
