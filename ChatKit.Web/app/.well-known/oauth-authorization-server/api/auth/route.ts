import { authorizationServerMetadata } from "@/lib/oauth-metadata";

export const dynamic = "force-dynamic";

/** RFC 8414 metadata of the issuer BETTER_AUTH_URL/api/auth (path inserted after /.well-known/), as MCP clients ask for it. */
export function GET(request: Request) {
  return authorizationServerMetadata(request, "oauth");
}
