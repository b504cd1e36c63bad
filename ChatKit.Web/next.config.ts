import type { NextConfig } from "next";

// The container image (Dockerfile) builds the standalone server; `next start` (the AppHost) uses the normal output.
const nextConfig: NextConfig = {
  output: process.env.NEXT_OUTPUT === "standalone" ? "standalone" : undefined,
  poweredByHeader: false,
  reactStrictMode: true,
  // Loaded by Node.js, not bundled: the OpenTelemetry instrumentations hook pg as Node.js loads it, and the SDK
  // (instrumentation.node.ts, loaded only with an OTLP endpoint) stays one copy outside the server bundle.
  serverExternalPackages: [
    "pg",
    "@opentelemetry/sdk-node",
    "@opentelemetry/sdk-trace-base",
    "@opentelemetry/exporter-trace-otlp-grpc",
    "@opentelemetry/exporter-trace-otlp-http",
    "@opentelemetry/exporter-trace-otlp-proto",
    "@opentelemetry/instrumentation-pg",
    "@opentelemetry/instrumentation-undici",
  ],
};

export default nextConfig;
