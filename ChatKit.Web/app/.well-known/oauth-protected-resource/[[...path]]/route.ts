import { proxyToApi } from "@/lib/proxy";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ path?: string[] }> };

/** RFC 9728 metadata of the tasks' MCP server (/.well-known/oauth-protected-resource[/mcp]): the API serves it. */
async function handle(request: Request, context: Context) {
  const { path = [] } = await context.params;
  return proxyToApi(request, "/.well-known/oauth-protected-resource", path);
}

export { handle as GET };
