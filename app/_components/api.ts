// The one way client components write: POST JSON, read `{ error: { code, message, fields } }`.
// Never throws on 4xx/5xx or a lost connection: the caller shows `error.message` and the
// field messages beside the fields.

export interface ApiError {
  /** HTTP status; 0 when the server could not be reached */
  status: number;
  code: string;
  message: string;
  fields: Record<string, string>;
  detail?: unknown;
}

export type ApiResult<T> = { ok: true; data: T } | { ok: false; error: ApiError };

/**
 * POSTs `body`. Network failures and 5xx keep the idempotency key meaningful: the caller
 * retries with the same key, and the server answers what it stored if the first attempt
 * had in fact landed, so a retry with gloves on never charts twice.
 *
 * When the sign-in has ended (401): `signedOut: "report"` (the default, and what the bedside
 * forms use) keeps the page and its typed values and says so; `"redirect"` goes to the
 * sign-in page, for pages whose unsaved input is cheap to retype.
 */
export async function postJson<T>(
  url: string,
  body: unknown,
  opts: { idempotencyKey?: string; signedOut?: "report" | "redirect" } = {},
): Promise<ApiResult<T>> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...(opts.idempotencyKey ? { "Idempotency-Key": opts.idempotencyKey } : {}) },
      body: JSON.stringify(body),
      cache: "no-store",
    });
  } catch {
    return {
      ok: false,
      error: { status: 0, code: "NETWORK", message: "The server could not be reached. Check the connection and press save again: the same entry will not be charted twice.", fields: {} },
    };
  }
  if (res.status === 401 && opts.signedOut === "redirect") window.location.assign("/login?reason=idle");
  let parsed: unknown = null;
  try {
    parsed = await res.json();
  } catch {
    parsed = null;
  }
  if (res.ok) return { ok: true, data: parsed as T };
  const err = (parsed as { error?: Partial<ApiError> } | null)?.error;
  const message =
    res.status === 401
      ? "Your sign-in has expired: sign in again. Nothing was saved."
      : err?.message ?? `The server answered ${res.status}. Nothing was saved.`;
  return { ok: false, error: { status: res.status, code: err?.code ?? "HTTP_" + res.status, message, fields: err?.fields ?? {}, detail: err?.detail } };
}

/** Whether a failed request may have landed and should be retried with the same key. */
export function isRetryable(error: ApiError): boolean {
  return error.status === 0 || error.status >= 500;
}

/**
 * A fresh key per user action, so a double-click or a retry after a timeout stores once.
 * crypto.randomUUID needs a secure context, which a tablet on the clinic LAN over http is
 * not, hence the fallback (the key only has to be unique per user, not secret).
 */
export function newIdempotencyKey(prefix = "k"): string {
  const c = globalThis.crypto as Crypto | undefined;
  if (c && typeof c.randomUUID === "function" && globalThis.isSecureContext) return `${prefix}-${c.randomUUID()}`;
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}
