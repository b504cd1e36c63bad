"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { authClient } from "@/lib/auth-client";

/** Email and password sign-in or sign-up through Better Auth; on success, the chat. */
export function AuthForm({ mode }: { mode: "sign-in" | "sign-up" }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const signUp = mode === "sign-up";

  async function submit(form: FormData) {
    setPending(true);
    setError(null);
    const email = String(form.get("email") ?? "").trim();
    const password = String(form.get("password") ?? "");
    const name = String(form.get("name") ?? "").trim() || email.split("@")[0];
    const { error } = signUp
      ? await authClient.signUp.email({ email, password, name })
      : await authClient.signIn.email({ email, password });
    if (error) {
      setError(error.status === 429 ? "Too many attempts. Wait a few seconds and try again." : error.message ?? "That did not work. Try again.");
      setPending(false);
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
          {signUp ? <>Already have an account? <Link href="/sign-in">Sign in</Link></> : <>New here? <Link href="/sign-up">Create an account</Link></>}
        </p>
      </form>
    </main>
  );
}
