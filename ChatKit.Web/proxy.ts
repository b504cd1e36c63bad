import { NextResponse, type NextRequest } from "next/server";
import { CLIENT_ADDRESS_HEADER, clientAddress, trustedProxyHops } from "@/lib/client-address";
import { PUBLIC_CORS_HEADERS } from "@/lib/cors";
import { newNonce, securityHeaders } from "@/lib/security-headers";
import { chatPageConfig } from "@/lib/server-config";

/**
 * Next.js's request proxy (the former middleware; not the API pass-through of lib/proxy.ts): runs before every route.
 * It gives each response the security headers (pages: a Content-Security-Policy with a fresh nonce, which Next.js
 * reads from the request and puts on its own scripts) and each request the client address Better Auth may trust.
 */
export function proxy(request: NextRequest) {
  const path = request.nextUrl.pathname;
  const crossOrigin = isPublicOAuthPath(path);
  // OAuth and MCP clients in a browser on another origin (MCP Inspector) preflight these; none of them uses cookies.
  if (crossOrigin && request.method === "OPTIONS") return new NextResponse(null, { status: 204, headers: PUBLIC_CORS_HEADERS });
  const page = !path.startsWith("/api/") && !path.startsWith("/.well-known/") && path !== "/mcp";
  const headers = securityHeaders(
    {
      nonce: newNonce(),
      chatKitOrigin: new URL(chatPageConfig().scriptUrl).origin,
      https: (process.env.BETTER_AUTH_URL ?? "").startsWith("https://"),
      production: process.env.NODE_ENV === "production",
      development: process.env.NODE_ENV === "development",
    },
    page ? "page" : "api",
  );

  const forwarded = new Headers(request.headers);
  forwarded.delete(CLIENT_ADDRESS_HEADER);
  const address = clientAddress(request.headers.get("x-forwarded-for"), trustedProxyHops());
  if (address) forwarded.set(CLIENT_ADDRESS_HEADER, address);
  if (page) forwarded.set("content-security-policy", headers["Content-Security-Policy"]);

  const response = NextResponse.next({ request: { headers: forwarded } });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  if (crossOrigin) for (const [name, value] of Object.entries(PUBLIC_CORS_HEADERS)) response.headers.set(name, value);
  return response;
}

/** Paths an OAuth or MCP client calls without cookies: discovery, registration, token, revocation, keys and /mcp. */
export function isPublicOAuthPath(path: string): boolean {
  return path === "/mcp" || path.startsWith("/.well-known/") || path === "/api/auth/jwks"
    || path === "/api/auth/.well-known/openid-configuration"
    || ["/api/auth/oauth2/register", "/api/auth/oauth2/token", "/api/auth/oauth2/revoke"].includes(path);
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
