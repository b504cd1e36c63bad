import { createAuthClient } from "better-auth/react";
import { jwtClient } from "better-auth/client/plugins";
import { oauthProviderClient } from "@better-auth/oauth-provider/client";

/**
 * Better Auth in the browser (same origin): sign-up, sign-in, sign-out, the JWT for the API, and the OAuth provider's
 * pages (sign-in and consent for an MCP client send the signed authorization request along).
 */
export const authClient = createAuthClient({ plugins: [jwtClient(), oauthProviderClient()] });

/** A Better Auth JWT (EdDSA, 15 minutes) for the signed-in user, or null when signed out. */
export async function getBetterAuthToken(): Promise<string | null> {
  const { data } = await authClient.token();
  return data?.token ?? null;
}
