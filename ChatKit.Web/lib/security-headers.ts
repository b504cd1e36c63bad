/** The response headers that harden the web app in the browser; `proxy.ts` sets them on every response. */

/** What the headers of one response depend on. */
export interface SecurityContext {
  /** A fresh random value per response: only scripts that carry it (Next.js adds it to its own) may run. */
  nonce: string;
  /** Where ChatKit's script and its iframe come from (the origin of CHATKIT_SCRIPT_URL, by default OpenAI's CDN). */
  chatKitOrigin: string;
  /** The app is served over HTTPS (its public URL, BETTER_AUTH_URL, is https://). */
  https: boolean;
  /** NODE_ENV is production (`next start`, the container); HSTS is sent only then. */
  production: boolean;
  /** `next dev`: React needs eval for its error overlays. */
  development: boolean;
}

// ChatKit's script checks the domain key at api.openai.com from the page; everything else it does runs in its iframe.
const OPENAI_API = "https://api.openai.com";

/**
 * The page's Content-Security-Policy: scripts only with this response's nonce (and what they load: 'strict-dynamic' lets
 * the chat page add ChatKit's script), ChatKit's iframe and nothing else framed, the page itself never framed, no
 * plugins, no <base> or form posts elsewhere. Styles may be inline (React style props, ChatKit's element).
 */
export function contentSecurityPolicy(context: SecurityContext): string {
  const chatKit = context.chatKitOrigin;
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${context.nonce}' 'strict-dynamic' ${chatKit}${context.development ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'unsafe-inline' ${chatKit}`,
    `img-src 'self' data: blob: ${chatKit}`,
    `font-src 'self' data: ${chatKit}`,
    `connect-src 'self' ${chatKit} ${OPENAI_API}`,
    `frame-src ${chatKit}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  if (context.https) directives.push("upgrade-insecure-requests");
  return directives.join("; ");
}

/**
 * The headers of a response. Pages get the CSP too; API routes keep what the API sends (an attachment's own
 * `sandbox` policy) and get the rest. HSTS only in production over HTTPS: a local `next start` on http://localhost
 * must not pin the browser to HTTPS.
 */
export function securityHeaders(context: SecurityContext, kind: "page" | "api"): Record<string, string> {
  const headers: Record<string, string> = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
  };
  if (kind === "page") {
    headers["Content-Security-Policy"] = contentSecurityPolicy(context);
    headers["X-Frame-Options"] = "DENY";
    headers["Cross-Origin-Opener-Policy"] = "same-origin";
    headers["Permissions-Policy"] = "camera=(), geolocation=(), payment=(), usb=()";
  }
  if (context.production && context.https) headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains";
  return headers;
}

/** 128 random bits, base64: a CSP nonce. */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}
