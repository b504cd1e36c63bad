// Runs once when the server starts: creates Better Auth's tables before the first request.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  if (!process.env.ConnectionStrings__authdb && !process.env.DATABASE_URL) return;
  const { ensureAuthSchema } = await import("./lib/auth");
  const started = Date.now();
  await ensureAuthSchema();
  console.log(`Better Auth schema ready in ${Date.now() - started} ms`);
}
