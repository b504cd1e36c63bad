import { ensureAuthSchema } from "@/lib/auth";

export const dynamic = "force-dynamic";

/** Health for the AppHost: healthy once Better Auth's tables exist. */
export async function GET() {
  try {
    await ensureAuthSchema();
    return new Response("Healthy", { headers: { "content-type": "text/plain" } });
  } catch (error) {
    return new Response(`Unhealthy: ${(error as Error).message}`, { status: 503, headers: { "content-type": "text/plain" } });
  }
}
