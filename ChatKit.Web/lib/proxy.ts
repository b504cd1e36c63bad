import { apiBaseUrl } from "./server-config";

const FORWARDED_REQUEST_HEADERS = ["authorization", "content-type", "accept", "accept-language", "if-none-match", "traceparent", "tracestate"];
const DROPPED_RESPONSE_HEADERS = new Set(["connection", "keep-alive", "transfer-encoding", "content-encoding", "content-length"]);

/**
 * Forwards a same-origin request to the API service (found through Aspire service discovery) and streams the answer
 * back as it arrives, so ChatKit's server-sent events reach the browser event by event.
 */
export async function proxyToApi(request: Request, apiPath: string): Promise<Response> {
  const incoming = new URL(request.url);
  let base: string;
  try {
    base = apiBaseUrl();
  } catch (error) {
    return problem(503, "The API is not configured", (error as Error).message);
  }
  const target = `${base}${apiPath}${incoming.search}`;

  const headers = new Headers();
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = request.headers.get(name);
    if (value) headers.set(name, value);
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
