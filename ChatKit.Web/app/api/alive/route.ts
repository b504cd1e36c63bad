export const dynamic = "force-dynamic";

/** Liveness for Container Apps: the process answers. Unlike /api/health it never touches the database. */
export function GET() {
  return new Response("Healthy", { headers: { "content-type": "text/plain" } });
}
