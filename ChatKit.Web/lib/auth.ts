import { betterAuth } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import { nextCookies } from "better-auth/next-js";
import { jwt } from "better-auth/plugins";
import { oauthProvider } from "@better-auth/oauth-provider";
import { createHash } from "node:crypto";
import { Pool } from "pg";
import { CLIENT_ADDRESS_HEADER } from "./client-address";
import { authDatabaseUrl } from "./server-config";

/**
 * Better Auth: email and password, and the JWT plugin with its default EdDSA (Ed25519) keys. The API verifies these
 * tokens through /api/auth/jwks; their iss and aud are BETTER_AUTH_URL, the exact origin the browser uses.
 */
function createAuth() {
  const baseURL = process.env.BETTER_AUTH_URL;
  const secret = process.env.BETTER_AUTH_SECRET;
  if (!baseURL) throw new Error("BETTER_AUTH_URL is not set: it must be the origin the browser uses, e.g. http://localhost:3000.");
  if (!secret || secret.length < 32) throw new Error("BETTER_AUTH_SECRET must be set, at least 32 characters, and stable per database.");
  return betterAuth({
    appName: "ChatKit Todo",
    baseURL,
    secret,
    database: pool(),
    emailAndPassword: { enabled: true, minPasswordLength: 8, autoSignIn: true },
    // Browser tests sign many users in from one address: AUTH_RATE_LIMIT=off relaxes Better Auth's limiter.
    rateLimit: rateLimitOff() ? { enabled: false } : { enabled: true, window: 10, max: 100 },
    // The client's address only as proxy.ts derived it from the trusted proxies (AUTH_TRUSTED_PROXY_HOPS), never as a
    // client wrote it into X-Forwarded-For; with no trusted proxy it is unknown and everyone shares one bucket per path.
    advanced: { ipAddress: { ipAddressHeaders: [CLIENT_ADDRESS_HEADER] } },
    telemetry: { enabled: false },
    plugins: [jwt(), oauthProvider(mcpAuthorizationServer()), nextCookies()],
  });
}

/** The scopes of the tasks' MCP server (docs/mcp.md): read the list; change it. */
export const MCP_SCOPES = ["tasks:read", "tasks:write"] as const;
const OAUTH_SCOPES = ["openid", "profile", "email", "offline_access", ...MCP_SCOPES];

/**
 * Better Auth as the OAuth 2.1 authorization server of the tasks' MCP server (MCP_RESOURCE, the web app's /mcp, which
 * passes through to the API): authorization code with PKCE, the sign-in page and a consent page, refresh tokens
 * (offline_access), and open dynamic client registration (RFC 7591), which the MCP clients of today (Claude, VS Code,
 * MCP Inspector, ChatGPT connectors) use to register themselves. With a `resource` in the request, its access tokens are
 * EdDSA JWTs from the JWT plugin's keys (the same JWKS as the web app's tokens), `aud` the resource, `iss` BETTER_AUTH_URL
 * plus /api/auth.
 */
function mcpAuthorizationServer(): Parameters<typeof oauthProvider>[0] {
  const resource = mcpResource();
  return {
    loginPage: "/sign-in",
    consentPage: "/consent",
    scopes: [...OAUTH_SCOPES],
    // The resource's allowed scopes bound the token's scopes: offline_access must stay in, or the refresh token loses it
    // and is neither renewed nor rotated.
    resources: resource ? [{ identifier: resource, name: "ChatKit Todo tasks (MCP)", allowedScopes: [...OAUTH_SCOPES] }] : [],
    resourceSeedMode: "overwrite",
    clientRegistrationDefaultResources: resource ? [resource] : undefined,
    clientRegistrationDefaultScopes: ["openid", "profile", "offline_access", ...MCP_SCOPES],
    // A loopback redirect URI (RFC 8252 §7.3) is how local MCP clients get the code back (MCP Inspector at
    // http://localhost:6274, Claude Code, VS Code), whether or not they register as native applications.
    allowInsecureRedirectUri: (url) => ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname),
    allowDynamicClientRegistration: true,
    allowUnauthenticatedClientRegistration: true,
    // Short-lived access tokens (a JWT cannot be revoked); refresh tokens keep a client connected.
    accessTokenExpiresIn: 15 * 60,
  };
}

/** The MCP resource identifier (the AppHost passes the web app's URL plus /mcp), or undefined when MCP is off. */
export function mcpResource(): string | undefined {
  return process.env.MCP_RESOURCE || undefined;
}

export function rateLimitOff(): boolean {
  return ["off", "false", "0", "disabled"].includes((process.env.AUTH_RATE_LIMIT ?? "").toLowerCase());
}

type Auth = ReturnType<typeof createAuth>;
const globalForAuth = globalThis as unknown as { chatkitAuth?: Auth; chatkitAuthReady?: Promise<void>; chatkitPool?: Pool };

function pool(): Pool {
  return (globalForAuth.chatkitPool ??= new Pool({ connectionString: authDatabaseUrl(), max: 10 }));
}

/** The Better Auth instance, created on first use (never at build time, when its configuration is absent). */
export function getAuth(): Auth {
  return (globalForAuth.chatkitAuth ??= createAuth());
}

/** Creates or updates Better Auth's tables in authdb; idempotent, runs once per process. */
export function ensureAuthSchema(): Promise<void> {
  return (globalForAuth.chatkitAuthReady ??= (async () => {
    const { runMigrations } = await getMigrations(getAuth().options);
    await runMigrations();
    await forgetKeysOfAnotherSecret(process.env.BETTER_AUTH_SECRET!);
  })().catch((error) => {
    globalForAuth.chatkitAuthReady = undefined;
    throw error;
  }));
}

/**
 * The JWT plugin encrypts its private keys with BETTER_AUTH_SECRET; after the secret changes, /api/auth/token fails
 * with "Failed to decrypt private key". When the secret is not the one the keys were made with, drop the keys: the
 * plugin makes a new pair, the API fetches the new JWKS on the unknown kid, and people sign in again.
 */
async function forgetKeysOfAnotherSecret(secret: string) {
  const fingerprint = createHash("sha256").update(`chatkit-web:${secret}`).digest("hex");
  const db = pool();
  await db.query("create table if not exists chatkit_web_meta (key text primary key, value text not null)");
  const { rows } = await db.query<{ value: string }>("select value from chatkit_web_meta where key = 'secret_fingerprint'");
  if (rows[0]?.value === fingerprint) return;
  if (rows.length) {
    const { rowCount } = await db.query("delete from jwks");
    console.warn(`BETTER_AUTH_SECRET changed: removed ${rowCount} signing key(s) made with the old secret; sessions start over.`);
  }
  await db.query(
    "insert into chatkit_web_meta (key, value) values ('secret_fingerprint', $1) on conflict (key) do update set value = excluded.value",
    [fingerprint],
  );
}
