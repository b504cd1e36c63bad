import { createAuthClient } from "better-auth/react";
import { jwtClient } from "better-auth/client/plugins";

/** Better Auth in the browser (same origin): sign-up, sign-in, sign-out, and the JWT for the API. */
export const authClient = createAuthClient({ plugins: [jwtClient()] });

/** A Better Auth JWT (EdDSA, 15 minutes) for the signed-in user, or null when signed out. */
export async function getBetterAuthToken(): Promise<string | null> {
  const { data } = await authClient.token();
  return data?.token ?? null;
}
