/**
 * The ChatKit session token (the original design's client_secret): minted by the API's /api/chatkit/session from the
 * Better Auth JWT, renewed through /api/chatkit/refresh shortly before it expires, and added as a bearer token to every
 * request the chat and the tasks view make.
 */
export interface ChatSessionOptions {
  /** The Better Auth JWT of the signed-in user (authClient.token()). */
  getAuthToken: () => Promise<string | null>;
  /** Base of the same-origin API routes; "" for relative URLs. */
  baseUrl?: string;
  fetch?: typeof fetch;
  now?: () => number;
  /** Renew this long before the token expires. */
  renewBeforeMs?: number;
  /** Told about every failed HTTP answer (status 0: no answer at all). */
  onHttpError?: (status: number, url: string) => void;
}

interface SessionSecret {
  value: string;
  expiresAt: number;
  userId?: string;
}

export class SessionError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

export class ChatSession {
  private secret: SessionSecret | null = null;
  private pending: Promise<SessionSecret> | null = null;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private readonly renewBeforeMs: number;

  constructor(private readonly options: ChatSessionOptions) {
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.now = options.now ?? Date.now;
    this.renewBeforeMs = options.renewBeforeMs ?? 60_000;
  }

  get userId(): string | undefined {
    return this.secret?.userId;
  }

  /** A client secret valid for at least renewBeforeMs: the cached one, a refreshed one, or a new one. */
  async clientSecret(force = false): Promise<string> {
    if (!force && this.secret && this.now() < this.secret.expiresAt - this.renewBeforeMs) return this.secret.value;
    this.pending ??= this.renew(force).finally(() => (this.pending = null));
    return (await this.pending).value;
  }

  /** fetch with `Authorization: Bearer <client_secret>`; a 401 renews the token once and repeats the request. */
  readonly fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const send = async (secret: string) => {
      const headers = new Headers(init.headers ?? (input instanceof Request ? input.headers : undefined));
      headers.set("Authorization", `Bearer ${secret}`);
      return this.fetchImpl(input, { ...init, headers });
    };
    let response: Response;
    try {
      response = await send(await this.clientSecret());
      if (response.status === 401 && !(init.body instanceof ReadableStream)) {
        response = await send(await this.clientSecret(true));
      }
    } catch (error) {
      if ((error as Error).name !== "AbortError") this.options.onHttpError?.(error instanceof SessionError ? error.status : 0, url);
      throw error;
    }
    if (!response.ok) this.options.onHttpError?.(response.status, url);
    return response;
  };

  private async renew(force: boolean): Promise<SessionSecret> {
    const authToken = await this.options.getAuthToken();
    if (!authToken) throw new SessionError("You are signed out.", 401);
    const base = this.options.baseUrl ?? "";
    const headers = { Authorization: `Bearer ${authToken}`, "Content-Type": "application/json" };
    if (this.secret && !force) {
      const refreshed = await this.fetchImpl(`${base}/api/chatkit/refresh`, {
        method: "POST",
        headers,
        body: JSON.stringify({ token: this.secret.value }),
      });
      if (refreshed.ok) return (this.secret = this.parse(await refreshed.json()));
    }
    const created = await this.fetchImpl(`${base}/api/chatkit/session`, { method: "POST", headers });
    if (!created.ok) throw new SessionError(`The chat session could not be started (HTTP ${created.status}).`, created.status);
    return (this.secret = this.parse(await created.json()));
  }

  private parse(body: { client_secret?: string; user_id?: string; expires_at?: string | number }): SessionSecret {
    if (!body.client_secret) throw new SessionError("The API returned no client_secret.", 502);
    return { value: body.client_secret, userId: body.user_id, expiresAt: expiryOf(body.client_secret, body.expires_at, this.now()) };
  }
}

/** expires_at as ISO text or epoch seconds/milliseconds; else the token's own exp; else 5 minutes. */
export function expiryOf(token: string, expiresAt: string | number | undefined, now: number): number {
  if (typeof expiresAt === "number") return expiresAt < 1e12 ? expiresAt * 1000 : expiresAt;
  if (typeof expiresAt === "string") {
    const parsed = Date.parse(expiresAt);
    if (!Number.isNaN(parsed)) return parsed;
  }
  try {
    const payload = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    if (typeof payload.exp === "number") return payload.exp * 1000;
  } catch {
    // not a JWT: fall through
  }
  return now + 5 * 60_000;
}
