"use client";

import { useEffect, useState } from "react";
import { authClient } from "@/lib/auth-client";
import { describeScopes } from "@/lib/scopes";

type Client = { client_id: string; client_name?: string; client_uri?: string; logo_uri?: string };

/**
 * The consent step of an MCP client's authorization: which application asks, what each requested scope allows, Allow
 * or Deny. Better Auth signed the request (the page's query); the client plugin sends it back with the answer, and
 * Better Auth answers with where to go next (the client's redirect URI with a code, or with access_denied).
 */
export function ConsentForm() {
  const [query, setQuery] = useState<URLSearchParams | null>(null);
  const [client, setClient] = useState<Client | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  useEffect(() => {
    const params = new URLSearchParams(window.location.search);
    setQuery(params);
    const clientId = params.get("client_id");
    if (!clientId) {
      setError("This page is part of an application's sign-in; open it from the application.");
      return;
    }
    authClient
      .$fetch<Client>("/oauth2/public-client", { method: "GET", query: { client_id: clientId } })
      .then(({ data }) => setClient(data ?? { client_id: clientId }))
      .catch(() => setClient({ client_id: clientId }));
  }, []);

  async function answer(accept: boolean) {
    setPending(true);
    setError(null);
    const { data, error } = await authClient.$fetch<{ url?: string; redirect?: boolean }>("/oauth2/consent", { method: "POST", body: { accept } });
    if (error || !data?.url) {
      setError(error?.message ?? "The request has expired. Start again from the application.");
      setPending(false);
      return;
    }
    // With `redirect: true` Better Auth's client goes there itself; a second navigation would cancel the first.
    if (!data.redirect) window.location.href = data.url;
  }

  const name = client?.client_name || client?.client_id || "An application";
  const scopes = describeScopes(query?.get("scope") ?? "");
  return (
    <main className="auth-page">
      <section className="auth-card consent-card" aria-labelledby="consent-title">
        <div className="brand"><span className="logo" aria-hidden>✓</span> ChatKit Todo</div>
        <h1 id="consent-title">Allow <span className="consent-client">{name}</span> to use your tasks?</h1>
        {client?.client_uri ? <p className="consent-uri">{client.client_uri}</p> : null}
        <p>It will be able to:</p>
        <ul className="consent-scopes">
          {scopes.map((scope) => <li key={scope.name} data-scope={scope.name}>{scope.text}</li>)}
        </ul>
        <p className="consent-note">You can revoke its access at any time; see the documentation (docs/mcp.md).</p>
        {error ? <p className="auth-error" role="alert">{error}</p> : null}
        <div className="consent-actions">
          <button type="button" className="consent-deny" disabled={pending || !client} onClick={() => answer(false)}>Deny</button>
          <button type="submit" disabled={pending || !client} onClick={() => answer(true)}>{pending ? "Please wait…" : "Allow"}</button>
        </div>
      </section>
    </main>
  );
}
