import { toPostgresUrl } from "./pg-url";

/** Runtime configuration, read on the server at request time (NEXT_PUBLIC_* values would be frozen at build time). */
export type ChatUiMode = "auto" | "chatkit" | "builtin";

export const CHATKIT_CDN_URL = "https://cdn.platform.openai.com/deployments/chatkit/chatkit.js";

export function authDatabaseUrl(): string {
  const raw = process.env.ConnectionStrings__authdb ?? process.env.DATABASE_URL;
  if (!raw) throw new Error("No database for Better Auth: set ConnectionStrings__authdb (Aspire) or DATABASE_URL.");
  return toPostgresUrl(raw);
}

/**
 * The API service's base URL, from Aspire service discovery or API_URL. https first: deployed, the API's http address
 * only redirects to https (Container Apps' ingress), and a redirected POST would arrive as a GET.
 */
export function apiBaseUrl(): string {
  const url = process.env.services__apiservice__https__0 ?? process.env.services__apiservice__http__0 ?? process.env.API_URL;
  if (!url) throw new Error("The API's address is unknown: set services__apiservice__http__0 (Aspire) or API_URL.");
  return url.replace(/\/+$/, "");
}

export interface ChatPageConfig {
  domainKey: string;
  ui: ChatUiMode;
  scriptUrl: string;
  scriptTimeoutMs: number;
}

export function chatPageConfig(): ChatPageConfig {
  const ui = (process.env.CHATKIT_UI ?? "auto").toLowerCase();
  const timeout = Number(process.env.CHATKIT_SCRIPT_TIMEOUT_MS);
  return {
    domainKey: process.env.CHATKIT_DOMAIN_KEY || "domain_pk_localhost_dev",
    ui: ui === "chatkit" || ui === "builtin" ? ui : "auto",
    scriptUrl: process.env.CHATKIT_SCRIPT_URL || CHATKIT_CDN_URL,
    scriptTimeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : 5000,
  };
}
