import { headers } from "next/headers";
import { ensureAuthSchema, getAuth } from "./auth";

/** The signed-in user of the current request, or null. */
export async function currentUser() {
  await ensureAuthSchema();
  const session = await getAuth().api.getSession({ headers: await headers() });
  return session?.user ?? null;
}
