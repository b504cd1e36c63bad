/**
 * When the web server traces: the same rule as the .NET services (ServiceDefaults), which collect nothing without an
 * OTLP endpoint. The AppHost gives the web app OTEL_EXPORTER_OTLP_ENDPOINT (the dashboard) when it runs it; without
 * one, or with the standard OTEL_SDK_DISABLED=true, the OpenTelemetry SDK is never loaded.
 */
export function telemetryEnabled(env: Record<string, string | undefined> = process.env): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim()) && env.OTEL_SDK_DISABLED?.trim().toLowerCase() !== "true";
}

/** The health probes the AppHost and Container Apps poll every few seconds: not worth a trace each. */
const PROBE_PATHS = ["/api/health", "/api/alive"];

/** True when a request target (path and query, as Next.js records it in `http.target`) is a health probe. */
export function isHealthProbe(target: unknown): boolean {
  if (typeof target !== "string") return false;
  const path = target.split("?")[0];
  return PROBE_PATHS.some((probe) => path === probe || path === `${probe}/`);
}

/** SpanKind.SERVER of @opentelemetry/api (kept as a number so this module loads without the SDK). */
const SERVER_SPAN = 1;

/** Whether a span without a parent starts a trace: a server span (a request), unless it is a health probe's. */
export function startsTrace(kind: number, target: unknown): boolean {
  return kind === SERVER_SPAN && !isHealthProbe(target);
}

/**
 * The trace headers the proxy copies from the browser's request to the API's. With tracing on, none: the fetch
 * instrumentation writes the web server's own `traceparent` (its client span, a child of the request's server span,
 * which continued the browser's context if it sent one), and a copied header would travel next to it. With tracing
 * off, the browser's own context passes through unchanged.
 */
export function forwardedTraceHeaders(env: Record<string, string | undefined> = process.env): readonly string[] {
  return telemetryEnabled(env) ? [] : ["traceparent", "tracestate"];
}

/**
 * A better name for a request's outer span as it ends, or null to keep its own. When the request proxy (proxy.ts)
 * runs, Next.js serves a request in two passes under one outer span, and only the inner one gets the route in its
 * name: the outer one stays "POST". It becomes "POST /api/chatkit/[[...path]]" (the route Next.js copies onto it) or,
 * without one, the path without its query.
 */
export function requestSpanName(kind: number, name: string, attributes: Record<string, unknown>): string | null {
  const method = attributes["http.method"];
  if (kind !== SERVER_SPAN || typeof method !== "string" || name !== method) return null;
  const route = attributes["http.route"];
  if (typeof route === "string" && route) return `${method} ${route}`;
  const target = attributes["http.target"];
  if (typeof target !== "string" || !target.startsWith("/")) return null;
  return `${method} ${target.split("?")[0]}`;
}
