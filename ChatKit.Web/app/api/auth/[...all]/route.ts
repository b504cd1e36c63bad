import { toNextJsHandler } from "better-auth/next-js";
import { ensureAuthSchema, getAuth } from "@/lib/auth";

export const dynamic = "force-dynamic";

async function handle(request: Request) {
  await ensureAuthSchema();
  const handler = toNextJsHandler(getAuth());
  return request.method === "GET" ? handler.GET(request) : handler.POST(request);
}

export { handle as GET, handle as POST };
