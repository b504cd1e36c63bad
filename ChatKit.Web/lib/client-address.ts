import { isIP } from "node:net";

/**
 * The request header Better Auth reads the client's address from (its rate limit, its sessions' ipAddress). `proxy.ts`
 * sets it on every request from the address the trusted proxies recorded, and drops whatever a client sent under
 * that name, so a client can neither pick its own address nor share someone else's bucket.
 */
export const CLIENT_ADDRESS_HEADER = "x-chatkit-client-ip";

/**
 * How many reverse proxies in front of the web app append to X-Forwarded-For (AUTH_TRUSTED_PROXY_HOPS): 1 behind Azure
 * Container Apps' ingress, which appends the address it saw and keeps anything the client sent to the left of it. 0
 * (the default, and the AppHost's local run): no proxy is trusted and no address is known; Better Auth then counts
 * every client in one bucket per path.
 */
export function trustedProxyHops(value = process.env.AUTH_TRUSTED_PROXY_HOPS): number {
  const hops = Number(value ?? 0);
  return Number.isInteger(hops) && hops >= 0 && hops <= 10 ? hops : 0;
}

/**
 * The client's address: the entry of X-Forwarded-For that the outermost trusted proxy appended, i.e. the
 * `hops`-th from the right; entries further left are whatever the client claimed. Null without
 * trusted proxies, when the header has fewer entries than hops, or when that entry is not an IP address.
 */
export function clientAddress(forwardedFor: string | null, hops: number): string | null {
  if (hops < 1 || !forwardedFor) return null;
  const entries = forwardedFor.split(",").map((entry) => entry.trim()).filter(Boolean);
  if (entries.length < hops) return null;
  const address = entries[entries.length - hops];
  return isIP(address) ? address : null;
}
