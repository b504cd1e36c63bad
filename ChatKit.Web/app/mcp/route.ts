import { proxyToApi } from "@/lib/proxy";

export const dynamic = "force-dynamic";

/** /mcp → the API's /mcp: the tasks' MCP server over Streamable HTTP (docs/mcp.md), streamed both ways. */
async function handle(request: Request) {
  return proxyToApi(request, "/mcp", []);
}

export { handle as GET, handle as POST, handle as DELETE };
