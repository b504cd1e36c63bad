import type { NextConfig } from "next";

// The container image (Dockerfile) builds the standalone server; `next start` (the AppHost) uses the normal output.
const nextConfig: NextConfig = {
  output: process.env.NEXT_OUTPUT === "standalone" ? "standalone" : undefined,
  poweredByHeader: false,
  reactStrictMode: true,
  // Loaded by Node.js, not bundled: the OpenTelemetry instrumentations hook these modules as Node.js loads them.
  serverExternalPackages: ["pg", "@opentelemetry/sdk-node", "@opentelemetry/instrumentation-pg", "@opentelemetry/instrumentation-undici", "@opentelemetry/sdk-trace-base"],
};

export default nextConfig;
