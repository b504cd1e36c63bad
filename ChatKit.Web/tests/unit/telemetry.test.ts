import { SpanKind } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { forwardedTraceHeaders, isHealthProbe, startsTrace, telemetryEnabled } from "@/lib/telemetry";

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
