import { oauthProviderAuthServerMetadata, oauthProviderOpenIdConfigMetadata } from "@better-auth/oauth-provider";
import { ensureAuthSchema, getAuth } from "./auth";
import { PUBLIC_CORS_HEADERS } from "./cors";


/** The authorization server's metadata (RFC 8414) or OpenID configuration, where clients look for an issuer with a path. */
export async function authorizationServerMetadata(request: Request, kind: "oauth" | "openid"): Promise<Response> {
  await ensureAuthSchema();
  const auth = getAuth();
  const handler = kind === "oauth" ? oauthProviderAuthServerMetadata(auth, { headers: PUBLIC_CORS_HEADERS })
    : oauthProviderOpenIdConfigMetadata(auth, { headers: PUBLIC_CORS_HEADERS });
  return handler(request);
}
