import { SpanKind } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { forwardedTraceHeaders, isHealthProbe, requestSpanName, startsTrace, telemetryEnabled } from "@/lib/telemetry";

describe("whether the web server traces", () => {
  it.each([
    [{}, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "" }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "  " }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "http://localhost:19238" }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "http://localhost:19238", OTEL_SDK_DISABLED: "true" }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "http://localhost:19238", OTEL_SDK_DISABLED: "false" }, true],
  ])("%j: %s", (env, enabled) => {
    expect(telemetryEnabled(env)).toBe(enabled);
  });

  it("passes the browser's trace headers through only while it does not trace itself", () => {
    expect(forwardedTraceHeaders({})).toEqual(["traceparent", "tracestate"]);
    expect(forwardedTraceHeaders({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://localhost:4318" })).toEqual([]);
  });
});

describe("which spans start a trace", () => {
  it.each(["/api/health", "/api/alive", "/api/health?x=1", "/api/alive/"])("not a probe's request: %s", (target) => {
    expect(isHealthProbe(target)).toBe(true);
    expect(startsTrace(SpanKind.SERVER, target)).toBe(false);
  });

  it.each(["/api/chatkit", "/api/auth/sign-in/email", "/chat", "/api/healthy"])("a request: %s", (target) => {
    expect(isHealthProbe(target)).toBe(false);
    expect(startsTrace(SpanKind.SERVER, target)).toBe(true);
  });

  it("not work outside a request (module loading, start-up queries)", () => {
    expect(startsTrace(SpanKind.INTERNAL, undefined)).toBe(false);
    expect(startsTrace(SpanKind.CLIENT, "/api/chatkit")).toBe(false);
  });
});

describe("the name of a request's outer span", () => {
  it("takes the route Next.js copied onto it", () => {
    expect(requestSpanName(SpanKind.SERVER, "POST", { "http.method": "POST", "http.target": "/api/chatkit?x=1", "http.route": "/api/chatkit/[[...path]]" }))
      .toBe("POST /api/chatkit/[[...path]]");
  });

  it("or the path without its query", () => {
    expect(requestSpanName(SpanKind.SERVER, "POST", { "http.method": "POST", "http.target": "/api/chatkit?turn=1" })).toBe("POST /api/chatkit");
  });

  it.each([
    [SpanKind.SERVER, "POST /api/chatkit/[[...path]]", { "http.method": "POST", "http.target": "/api/chatkit" }],
    [SpanKind.CLIENT, "POST", { "http.method": "POST", "http.target": "/api/chatkit" }],
    [SpanKind.SERVER, "POST", { "http.target": "/api/chatkit" }],
    [SpanKind.SERVER, "GET", { "http.method": "GET" }],
  ] as const)("keeps a span that is named already, not a request's, or has no path: %s %s", (kind, name, attributes) => {
    expect(requestSpanName(kind, name, attributes)).toBeNull();
  });
});
