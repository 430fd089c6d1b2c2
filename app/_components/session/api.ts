// The one way client components write: POST JSON, read `{ error: { code, message, fields } }`.

export interface ApiError {
  status: number;
  code: string;
  message: string;
  fields: Record<string, string>;
  detail?: unknown;
}

export type ApiResult<T> = { ok: true; data: T } | { ok: false; error: ApiError };

// One key generator for every form (it copes with tablets on plain-http clinic LANs).
export { newIdempotencyKey } from "@/app/_components/forms/api";

/**
 * POSTs `body`. Network failures and 5xx keep the idempotency key meaningful: the caller
 * retries with the same key, and the server answers what it stored if the first attempt
 * had in fact landed, so a retry with gloves on never charts twice.
 */
export async function postJson<T>(url: string, body: unknown, idempotencyKey?: string): Promise<ApiResult<T>> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...(idempotencyKey ? { "Idempotency-Key": idempotencyKey } : {}) },
      body: JSON.stringify(body),
      cache: "no-store",
    });
  } catch {
    return {
      ok: false,
      error: { status: 0, code: "NETWORK", message: "The server could not be reached. Check the connection and press save again: the same entry will not be charted twice.", fields: {} },
    };
  }
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
