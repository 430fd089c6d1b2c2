/** Client helper for the JSON API: returns the body or the `{ error }` shape, never throws on 4xx. */
export type ApiError = { code: string; message: string; fields?: Record<string, string>; detail?: unknown };
export type ApiResult<T> = { ok: true; data: T } | { ok: false; status: number; error: ApiError };

export async function postJson<T>(url: string, body: unknown, opts: { idempotencyKey?: string } = {}): Promise<ApiResult<T>> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(opts.idempotencyKey ? { "Idempotency-Key": opts.idempotencyKey } : {}) },
      body: JSON.stringify(body),
    });
  } catch {
    return { ok: false, status: 0, error: { code: "NETWORK", message: "No connection to the server. Nothing was saved; try again." } };
  }
  if (res.status === 401) {
    window.location.assign("/login?reason=idle");
    return { ok: false, status: 401, error: { code: "UNAUTHENTICATED", message: "Your session ended. Sign in again." } };
  }
  const json = (await res.json().catch(() => null)) as ({ error?: ApiError } & T) | null;
  if (!res.ok || !json) return { ok: false, status: res.status, error: json?.error ?? { code: "INTERNAL", message: `The server answered ${res.status}.` } };
  return { ok: true, data: json };
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
