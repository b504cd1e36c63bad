"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { authClient } from "@/lib/auth-client";

/** Email and password sign-in or sign-up through Better Auth; on success, the chat. */
export function AuthForm({ mode }: { mode: "sign-in" | "sign-up" }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const signUp = mode === "sign-up";
  // An MCP client's sign-in carries Better Auth's signed authorization request in the query: keep it across the two pages.
  const [search, setSearch] = useState("");
  useEffect(() => setSearch(window.location.search), []);

  async function submit(form: FormData) {
    setPending(true);
    setError(null);
    const email = String(form.get("email") ?? "").trim();
    const password = String(form.get("password") ?? "");
    const name = String(form.get("name") ?? "").trim() || email.split("@")[0];
    const { data, error } = signUp
      ? await authClient.signUp.email({ email, password, name })
      : await authClient.signIn.email({ email, password });
    if (error) {
      setError(error.status === 429 ? "Too many attempts. Wait a few seconds and try again." : error.message ?? "That did not work. Try again.");
      setPending(false);
      return;
    }
    // Signed in for an MCP client's authorization request: Better Auth answers with the next step (the consent page),
    // and with `redirect: true` its client goes there itself (a second navigation would cancel the first).
    const next = data as { url?: unknown; redirect?: unknown } | null;
    if (typeof next?.url === "string" && next.url) {
      if (next.redirect !== true) window.location.href = next.url;
      return;
    }
    router.push("/chat");
    router.refresh();
  }

  return (
    <main className="auth-page">
      <form className="auth-card" action={submit}>
        <div className="brand"><span className="logo" aria-hidden>✓</span> ChatKit Todo</div>
        <h1>{signUp ? "Create your account" : "Sign in"}</h1>
        {signUp ? (
          <label>
            Name
            <input name="name" autoComplete="name" placeholder="Ada Lovelace" />
          </label>
        ) : null}
        <label>
          Email
          <input name="email" type="email" autoComplete="email" required placeholder="you@example.com" />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete={signUp ? "new-password" : "current-password"} required minLength={8} placeholder="At least 8 characters" />
        </label>
        {error ? <p className="auth-error" role="alert">{error}</p> : null}
        <button type="submit" disabled={pending}>{pending ? "Please wait…" : signUp ? "Sign up" : "Sign in"}</button>
        <p className="auth-switch">
          {signUp ? <>Already have an account? <Link href={`/sign-in${search}`}>Sign in</Link></> : <>New here? <Link href={`/sign-up${search}`}>Create an account</Link></>}
        </p>
      </form>
    </main>
  );
}
