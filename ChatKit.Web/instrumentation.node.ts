// Loaded by instrumentation.ts only when an OTLP endpoint is configured (lib/telemetry.ts): the OpenTelemetry SDK for
// the Node.js server. Next.js traces its own work (a server span per request, route handlers, rendering); this adds
// the exporter the AppHost configures, the outgoing fetch calls (the proxy hop to the API, with W3C traceparent) and
// Better Auth's PostgreSQL queries. Protocol, endpoint, headers, service name and resource attributes come from the
// standard OTEL_* variables Aspire sets (OTEL_EXPORTER_OTLP_PROTOCOL: grpc to the dashboard, http/protobuf also works).
import { NodeSDK } from "@opentelemetry/sdk-node";
import { PgInstrumentation } from "@opentelemetry/instrumentation-pg";
import { UndiciInstrumentation } from "@opentelemetry/instrumentation-undici";
import { ParentBasedSampler, SamplingDecision, type Sampler } from "@opentelemetry/sdk-trace-base";
import { startsTrace } from "./lib/telemetry";

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

const sdk = new NodeSDK({
  sampler: new ParentBasedSampler({ root: requestsOnly }),
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
