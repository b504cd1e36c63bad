import { proxyToApi } from "@/lib/proxy";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ path?: string[] }> };

/** /api/tasks/** → the API's /api/tasks/**. */
async function handle(request: Request, context: Context) {
  const { path = [] } = await context.params;
  return proxyToApi(request, "/api/tasks", path);
}

export { handle as GET, handle as POST, handle as PUT, handle as PATCH, handle as DELETE };
