// Loaded by instrumentation.ts only when an OTLP endpoint is configured (lib/telemetry.ts): the OpenTelemetry SDK for
// the Node.js server. Next.js traces its own work (a server span per request, route handlers, rendering); this adds
// the exporter the AppHost configures, the outgoing fetch calls (the proxy hop to the API, with W3C traceparent) and
// Better Auth's PostgreSQL queries. Endpoint, protocol (the dashboard's is grpc), headers (its API key), service name,
// resource attributes and batch delay come from the standard OTEL_* variables Aspire sets.
import { NodeSDK } from "@opentelemetry/sdk-node";
import { OTLPTraceExporter as GrpcTraceExporter } from "@opentelemetry/exporter-trace-otlp-grpc";
import { OTLPTraceExporter as JsonTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtobufTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { PgInstrumentation } from "@opentelemetry/instrumentation-pg";
import { UndiciInstrumentation } from "@opentelemetry/instrumentation-undici";
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  SamplingDecision,
  type Sampler,
  type Span,
  type SpanExporter,
  type SpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { requestSpanName, startsTrace } from "./lib/telemetry";

// Next.js's own span for each fetch would sit between the route and the instrumented call, and does not propagate.
process.env.NEXT_OTEL_FETCH_DISABLED ??= "1";

/**
 * A trace starts only at a request (Next.js's server span), and not at a health probe's (the AppHost polls them): the
 * module loading at start-up and other work outside a request would each be a one-span trace of their own.
 */
const requestsOnly: Sampler = {
  shouldSample: (_context, _traceId, _name, kind, attributes) => ({
    decision: startsTrace(kind, attributes["http.target"]) ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD,
  }),
  toString: () => "RequestsOnly",
};

/** Names each request's outer span after its route or path (Next.js leaves it "POST" when the request proxy ran). */
const requestNames: SpanProcessor = {
  onStart: () => {},
  onEnding: (span: Span) => {
    const name = requestSpanName(span.kind, span.name, span.attributes);
    if (name) span.updateName(name);
  },
  onEnd: () => {},
  forceFlush: async () => {},
  shutdown: async () => {},
};

/** The OTLP exporter for OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL, as the SDK would pick it (it reads the rest itself). */
function traceExporter(): SpanExporter {
  const protocol = (process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? process.env.OTEL_EXPORTER_OTLP_PROTOCOL ?? "http/protobuf").trim();
  if (protocol === "grpc") return new GrpcTraceExporter();
  if (protocol === "http/json") return new JsonTraceExporter();
  return new ProtobufTraceExporter();
}

const sdk = new NodeSDK({
  sampler: new ParentBasedSampler({ root: requestsOnly }),
  spanProcessors: [requestNames, new BatchSpanProcessor(traceExporter())],
  instrumentations: [
    new UndiciInstrumentation(),
    // Only queries made while serving a request: the schema check at start-up would be a trace of its own.
    new PgInstrumentation({ requireParentSpan: true }),
  ],
});
sdk.start();

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    sdk.shutdown().catch(() => {}).finally(() => process.exit(0));
  });
}
