/**
 * The Idempotency-Key policy of the browser, pure so it can be tested without a browser.
 *
 * One user intent = one key = one request body. The intent starts when the user first
 * presses save with a given input; every retry of that input (after a lost connection, a
 * 5xx, or any refusal the user answers by pressing save again unchanged) reuses the key AND
 * the body first sent, so the server either stores it once or answers what it stored
 * (docs/decisions/0004-flags-and-charting.md). Resending the first body matters: a bedside
 * form stamps "now" when save is pressed, and the same key with a different body is a 409.
 * A new key is minted only when the input changed or the previous intent succeeded.
 */

export interface Intent<R> {
  key: string;
  /** what the user typed, in a stable form; a change means a new intent */
  fingerprint: string;
  /** the request sent for this intent, resent as is on every retry */
  request: R;
}

/** JSON with object keys sorted, so {a,b} and {b,a} are the same input. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** The intent for a press of save: the pending one if the input is unchanged, else a new one. */
export function intentFor<R>(pending: Intent<R> | null, input: unknown, request: R, mintKey: () => string): Intent<R> {
  const fingerprint = stableStringify(input);
  if (pending && pending.fingerprint === fingerprint) return pending;
  return { key: mintKey(), fingerprint, request };
}

/** What stays pending after an answer: nothing after a success, the same intent otherwise. */
export function intentAfter<R>(intent: Intent<R>, result: { ok: boolean }): Intent<R> | null {
  return result.ok ? null : intent;
}

/**
 * A fresh key. crypto.randomUUID needs a secure context, which a tablet on the clinic LAN
 * over http is not, hence the fallback (the key only has to be unique per user, not secret).
 */
export function newIdempotencyKey(prefix = "k"): string {
  const c = globalThis.crypto as Crypto | undefined;
  if (c && typeof c.randomUUID === "function" && globalThis.isSecureContext) return `${prefix}-${c.randomUUID()}`;
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

/**
 * The path to come back to after signing in again: same-origin paths only, so a crafted
 * link cannot send a freshly signed-in user to another site; never back to /login itself.
 */
export function safeReturnPath(candidate: string | null | undefined): string {
  if (!candidate || !candidate.startsWith("/") || candidate.startsWith("//") || candidate.startsWith("/\\")) return "/";
  if (candidate === "/login" || candidate.startsWith("/login?") || candidate.startsWith("/api/")) return "/";
  return candidate;
}
