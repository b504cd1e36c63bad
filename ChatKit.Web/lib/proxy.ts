import { apiBaseUrl } from "./server-config";
import { forwardedTraceHeaders } from "./telemetry";

const FORWARDED_REQUEST_HEADERS = ["authorization", "content-type", "accept", "accept-language", "if-none-match",
  // MCP's Streamable HTTP (/mcp): Last-Event-ID, and every Mcp-* header (Mcp-Protocol-Version, Mcp-Session-Id, Mcp-Method, …).
  "last-event-id"];
const FORWARDED_REQUEST_HEADER_PREFIX = "mcp-";
const DROPPED_RESPONSE_HEADERS = new Set(["connection", "keep-alive", "transfer-encoding", "content-encoding", "content-length"]);

/** The API paths the browser may reach through this proxy, and nothing outside them. */
export const ALLOWED_PREFIXES = ["/api/chatkit", "/api/tasks", "/mcp", "/.well-known/oauth-protected-resource"] as const;
export type AllowedPrefix = (typeof ALLOWED_PREFIXES)[number];

/** What a path segment of ours looks like: ids (thr_…, atc_…, task numbers) and route names; never `.`, `..`, `/` or `%`. */
const SEGMENT = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * The API path for a route's prefix and its (decoded) catch-all segments, or null when a segment is not a plain name:
 * `.` and `..` (`fetch` would resolve them and reach other API paths), and anything that decoded into one (`%2e%2e`),
 * into a slash or backslash (`%2f`, `%5c`), or that still holds a `%` (double encoding) are refused.
 */
export function apiPathFor(prefix: AllowedPrefix, segments: readonly string[]): string | null {
  if (!ALLOWED_PREFIXES.includes(prefix)) return null;
  if (!segments.every((segment) => SEGMENT.test(segment))) return null;
  return [prefix, ...segments].join("/");
}

/** True when a request path, as it arrived (still encoded), has no dot segment and no encoded separator in it. */
export function isPlainRequestPath(pathname: string): boolean {
  return pathname.split("/").every((segment) => {
    const lower = segment.toLowerCase();
    return !/%(2f|5c)/.test(lower) && !/^(\.|%2e){1,2}$/.test(lower);
  });
}

/**
 * Forwards a same-origin request under one of the allowed prefixes to the API service (found through Aspire service
 * discovery) and streams the answer back as it arrives, so ChatKit's server-sent events reach the browser event by
 * event. A path with dot segments, encoded separators or anything but plain names is a 400 and never leaves.
 */
export async function proxyToApi(request: Request, prefix: AllowedPrefix, segments: readonly string[]): Promise<Response> {
  const incoming = new URL(request.url);
  const apiPath = apiPathFor(prefix, segments);
  if (apiPath === null || !isPlainRequestPath(incoming.pathname)) {
    return problem(400, "Bad request path", "The path may hold only plain names: no '.' or '..' segments, no encoded separators.");
  }
  let base: string;
  try {
    base = apiBaseUrl();
  } catch (error) {
    return problem(503, "The API is not configured", (error as Error).message);
  }
  const target = new URL(`${base}${apiPath}${incoming.search}`);
  // Nothing may have been resolved away on the way: the API sees exactly the path checked above.
  if (!target.pathname.endsWith(apiPath)) {
    return problem(400, "Bad request path", "The path may hold only plain names: no '.' or '..' segments, no encoded separators.");
  }

  const headers = new Headers();
  for (const name of [...FORWARDED_REQUEST_HEADERS, ...forwardedTraceHeaders()]) {
    const value = request.headers.get(name);
    if (value) headers.set(name, value);
  }
  if (prefix === "/mcp") {
    request.headers.forEach((value, name) => {
      if (name.toLowerCase().startsWith(FORWARDED_REQUEST_HEADER_PREFIX)) headers.set(name, value);
    });
  }
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  if (host) headers.set("x-forwarded-host", host);
  headers.set("x-forwarded-proto", request.headers.get("x-forwarded-proto") ?? incoming.protocol.replace(":", ""));

  const hasBody = !["GET", "HEAD"].includes(request.method);
  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method: request.method,
      headers,
      body: hasBody ? request.body : undefined,
      // @ts-expect-error -- Node's fetch needs duplex for a streamed request body
      duplex: hasBody ? "half" : undefined,
      signal: request.signal,
      redirect: "manual",
      cache: "no-store",
    });
  } catch (error) {
    if (request.signal.aborted) return new Response(null, { status: 499 });
    return problem(502, "The API cannot be reached", (error as Error).message);
  }

  const responseHeaders = new Headers();
  upstream.headers.forEach((value, name) => {
    if (!DROPPED_RESPONSE_HEADERS.has(name.toLowerCase())) responseHeaders.set(name, value);
  });
  if (responseHeaders.get("content-type")?.startsWith("text/event-stream")) {
    responseHeaders.set("cache-control", "no-cache, no-transform");
    responseHeaders.set("x-accel-buffering", "no");
  }
  return new Response(upstream.body, { status: upstream.status, statusText: upstream.statusText, headers: responseHeaders });
}

function problem(status: number, title: string, detail: string): Response {
  return Response.json({ type: "about:blank", title, status, detail }, { status, headers: { "content-type": "application/problem+json" } });
}
