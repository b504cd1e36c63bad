import { telemetryEnabled } from "./lib/telemetry";

// Runs once when the server starts: starts tracing when an OTLP endpoint is configured (the AppHost's dashboard; the
// SDK is not even loaded otherwise), then creates Better Auth's tables before the first request.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // Before lib/auth loads pg: its instrumentation hooks the module when it is first required.
  if (telemetryEnabled()) await import("./instrumentation.node");
  if (!process.env.ConnectionStrings__authdb && !process.env.DATABASE_URL) return;
  const { ensureAuthSchema } = await import("./lib/auth");
  const started = Date.now();
  await ensureAuthSchema();
  console.log(`Better Auth schema ready in ${Date.now() - started} ms`);
}
