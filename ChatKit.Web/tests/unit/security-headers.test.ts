import { afterEach, describe, expect, it, vi } from "vitest";
import { NextRequest } from "next/server";
import { proxy } from "@/proxy";
import { clientAddress, trustedProxyHops } from "@/lib/client-address";
import { contentSecurityPolicy, newNonce, securityHeaders, type SecurityContext } from "@/lib/security-headers";

const CDN = "https://cdn.platform.openai.com";
const context = (change: Partial<SecurityContext> = {}): SecurityContext => ({
  nonce: "bm9uY2U=", chatKitOrigin: CDN, https: true, production: true, development: false, ...change,
});
const directive = (csp: string, name: string) => csp.split("; ").find((d) => d.startsWith(`${name} `)) ?? "";

describe("the page's Content-Security-Policy", () => {
  const csp = contentSecurityPolicy(context());

  it("runs only scripts with the response's nonce, and what they load (ChatKit's script)", () => {
    expect(directive(csp, "script-src")).toBe(`script-src 'self' 'nonce-bm9uY2U=' 'strict-dynamic' ${CDN}`);
    expect(csp).not.toContain("'unsafe-eval'");
    expect(directive(csp, "script-src")).not.toContain("'unsafe-inline'");
  });

  it("lets ChatKit's iframe in and keeps the page itself out of every frame", () => {
    expect(directive(csp, "frame-src")).toBe(`frame-src ${CDN}`);
    expect(directive(csp, "frame-ancestors")).toBe("frame-ancestors 'none'");
  });

  it("allows no plugins, no foreign <base> and no form posts elsewhere", () => {
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'self'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).toContain("default-src 'self'");
  });

  it("follows a configured ChatKit script origin, allows eval only under next dev, upgrades requests only over HTTPS", () => {
    const dev = contentSecurityPolicy(context({ chatKitOrigin: "http://127.0.0.1:3901", development: true, production: false, https: false }));
    expect(directive(dev, "script-src")).toContain("http://127.0.0.1:3901 'unsafe-eval'");
    expect(directive(dev, "frame-src")).toBe("frame-src http://127.0.0.1:3901");
    expect(dev).not.toContain("upgrade-insecure-requests");
    expect(csp).toContain("upgrade-insecure-requests");
  });
});

describe("the security headers", () => {
  it("give pages the CSP and framing, referrer and sniffing rules; API routes keep the API's own CSP", () => {
    const page = securityHeaders(context(), "page");
    expect(page["Content-Security-Policy"]).toBe(contentSecurityPolicy(context()));
    expect(page["X-Frame-Options"]).toBe("DENY");
    expect(page["X-Content-Type-Options"]).toBe("nosniff");
    expect(page["Referrer-Policy"]).toBe("strict-origin-when-cross-origin");
    const api = securityHeaders(context(), "api");
    expect(api["Content-Security-Policy"]).toBeUndefined();
    expect(api["X-Content-Type-Options"]).toBe("nosniff");
  });

  it("send HSTS only in production over HTTPS", () => {
    expect(securityHeaders(context(), "page")["Strict-Transport-Security"]).toBe("max-age=31536000; includeSubDomains");
    expect(securityHeaders(context(), "api")["Strict-Transport-Security"]).toBeDefined();
    expect(securityHeaders(context({ https: false }), "page")["Strict-Transport-Security"]).toBeUndefined();
    expect(securityHeaders(context({ production: false }), "page")["Strict-Transport-Security"]).toBeUndefined();
  });

  it("use a fresh nonce of 128 random bits each time", () => {
    const nonces = new Set(Array.from({ length: 100 }, newNonce));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(atob(nonce)).toHaveLength(16);
  });
});

describe("the client address Better Auth sees", () => {
  it.each([
    ["203.0.113.7", 1, "203.0.113.7"],
    ["198.51.100.1, 203.0.113.7", 1, "203.0.113.7"], // the client wrote the first entry; the ingress appended the second
    ["evil, 203.0.113.7", 1, "203.0.113.7"],
    ["2001:db8::1", 1, "2001:db8::1"],
    ["198.51.100.1, 203.0.113.7, 10.0.0.4", 2, "203.0.113.7"],
    ["203.0.113.7", 2, null], // fewer entries than trusted proxies: nothing to trust
    ["203.0.113.7, not-an-address", 1, null],
    ["203.0.113.7", 0, null], // no trusted proxy: a client could have written anything
    [null, 1, null],
  ] as const)("X-Forwarded-For %s with %i trusted proxies is %s", (header, hops, address) => {
    expect(clientAddress(header, hops)).toBe(address);
  });

  it("trusts 0 proxies unless AUTH_TRUSTED_PROXY_HOPS says otherwise", () => {
    expect(trustedProxyHops(undefined)).toBe(0);
    expect(trustedProxyHops("1")).toBe(1);
    for (const bad of ["-1", "1.5", "many", "99"]) expect(trustedProxyHops(bad)).toBe(0);
  });
});

describe("the request proxy", () => {
  afterEach(() => vi.unstubAllEnvs());

  const run = (path: string, headers: Record<string, string> = {}) => proxy(new NextRequest(`http://web.test${path}`, { headers }));
  const forwardedHeader = (response: Response, name: string) => response.headers.get(`x-middleware-request-${name}`);

  it("answers a page with a CSP whose nonce Next.js also finds on the request", () => {
    const response = run("/sign-in");
    const csp = response.headers.get("content-security-policy")!;
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic' https:\/\/cdn\.platform\.openai\.com/);
    expect(forwardedHeader(response, "content-security-policy")).toBe(csp);
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(run("/sign-in").headers.get("content-security-policy")).not.toBe(csp);
  });

  it("leaves the CSP of API routes to the API", () => {
    const response = run("/api/chatkit/attachments/atc_1/content");
    expect(response.headers.get("content-security-policy")).toBeNull();
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("sends HSTS when the public URL is HTTPS in production", () => {
    vi.stubEnv("NODE_ENV", "production");
    vi.stubEnv("BETTER_AUTH_URL", "https://app.example.com");
    expect(run("/chat").headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
    vi.stubEnv("BETTER_AUTH_URL", "http://localhost:3000");
    expect(run("/chat").headers.get("strict-transport-security")).toBeNull();
  });

  it("replaces a client's own client-address header with what the trusted proxy recorded", () => {
    vi.stubEnv("AUTH_TRUSTED_PROXY_HOPS", "1");
    const response = run("/api/auth/sign-in/email", { "x-forwarded-for": "1.2.3.4, 203.0.113.7", "x-chatkit-client-ip": "1.2.3.4" });
    expect(forwardedHeader(response, "x-chatkit-client-ip")).toBe("203.0.113.7");

    vi.stubEnv("AUTH_TRUSTED_PROXY_HOPS", "0");
    const untrusted = run("/api/auth/sign-in/email", { "x-forwarded-for": "1.2.3.4", "x-chatkit-client-ip": "1.2.3.4" });
    expect(forwardedHeader(untrusted, "x-chatkit-client-ip")).toBeNull();
    expect(untrusted.headers.get("x-middleware-override-headers")!.split(",")).not.toContain("x-chatkit-client-ip");
  });
});
