"use client";
import { signIn } from "next-auth/react";
import { useState } from "react";
import { safeReturnPath } from "@/lib/client/intent";

/** One generic failure message whatever went wrong: no hint whether the email exists. */
export const LOGIN_FAILED_MESSAGE =
  "Sign-in failed. Check your email and password. After repeated failures sign-in is paused for 15 minutes.";

export function LoginForm() {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setPending(true);
    setError(null);
    const form = new FormData(e.currentTarget);
    const res = await signIn("credentials", {
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      redirect: false,
    });
    if (!res || res.error) {
      setError(LOGIN_FAILED_MESSAGE);
      setPending(false);
      return;
    }
    // back to the page the sign-in ended on (the data layer and proxy.ts pass it), same-origin only
    window.location.assign(safeReturnPath(new URLSearchParams(window.location.search).get("callbackUrl")));
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-3">
      <div>
        <label htmlFor="email" className="field-label">Email</label>
        <input id="email" name="email" type="email" autoComplete="username" required className="field-input" />
      </div>
      <div>
        <label htmlFor="password" className="field-label">Password</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required className="field-input" />
      </div>
      <div aria-live="polite">{error && <p role="alert" className="field-error">{error}</p>}</div>
      <button type="submit" className="btn-primary w-full" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
