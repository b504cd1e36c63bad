/**
 * CORS for what OAuth clients read or call from a browser on another origin (MCP Inspector): metadata, registration,
 * token, JWKS. None of them uses cookies, so any origin may read them.
 */
export const PUBLIC_CORS_HEADERS: Record<string, string> = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-allow-headers": "authorization, content-type, mcp-protocol-version, mcp-session-id, last-event-id",
  "access-control-expose-headers": "www-authenticate, mcp-session-id",
  "access-control-max-age": "600",
};
