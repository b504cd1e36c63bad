import { authorizationServerMetadata } from "@/lib/oauth-metadata";

export const dynamic = "force-dynamic";

/** OpenID Connect discovery of the issuer BETTER_AUTH_URL/api/auth (path appended), the other place clients look. */
export function GET(request: Request) {
  return authorizationServerMetadata(request, "openid");
}
