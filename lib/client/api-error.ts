/**
 * What a failed request means to the person at the screen. Pure: the browser data layer
 * (app/_components/data) turns every answer into an ApiResult with these functions, and the
 * unit tests pin each mapping. Server errors arrive as `{ error: { code, message, fields } }`
 * (lib/errors.ts); a lost connection has no answer at all.
 */

/** How the form should react, whatever the route said in detail. */
export type ApiErrorKind =
  /** fields are wrong (client-side zod or the server's 400); field messages sit beside the fields */
  | "invalid"
  /** the sign-in ended: the data layer sends the browser to /login with a return path */
  | "signed-out"
  | "forbidden"
  | "not-found"
  /** someone else changed the record, or it already exists: reload/refetch and look again */
  | "conflict"
  /** a hard limit needs a physician's override reason (docs/decisions/0004-flags-and-charting.md) */
  | "override-needed"
  | "rate-limited"
  | "too-large"
  /** no answer: the request may or may not have landed, retry the same intent */
  | "network"
  /** the server failed; nothing was saved; retrying the same intent is safe */
  | "server";

export interface ApiError {
  /** HTTP status; 0 when nothing was answered (network) or nothing was sent (client validation) */
  status: number;
  code: string;
  kind: ApiErrorKind;
  message: string;
  /** field path -> message, shown beside that field */
  fields: Record<string, string>;
  detail?: unknown;
  /** the same intent may be sent again with the same Idempotency-Key */
  retryable: boolean;
}

export type ApiResult<T> = { ok: true; data: T } | { ok: false; error: ApiError };

export const SIGNED_OUT_MESSAGE = "Your sign-in has expired: sign in again. Nothing was saved.";
/** For a write: the page stays, so what was typed is not lost (send.ts). */
export const SIGNED_OUT_WRITE_MESSAGE =
  "Your sign-in has expired, so this was not saved. What you typed is kept here: sign in again in another tab, then press save again (it will be saved once).";
export const NETWORK_MESSAGE =
  "The server could not be reached. Check the connection and press save again: the same entry will not be charted twice.";
export const CONFLICT_MESSAGE =
  "Someone else changed this record while you were working. Reload to see their change, then try again; nothing was saved.";
export const INVALID_MESSAGE = "Check the highlighted fields. Nothing was sent.";

function kindOf(status: number, code: string | undefined): ApiErrorKind {
  if (status === 401) return "signed-out";
  if (status === 409) return "conflict";
  if (status === 422 || code === "HARD_LIMIT") return "override-needed";
  if (status === 400) return "invalid";
  if (status === 403) return "forbidden";
  if (status === 404) return "not-found";
  if (status === 413) return "too-large";
  if (status === 429) return "rate-limited";
  if (status >= 500) return "server";
  return "invalid";
}

function errorBodyOf(body: unknown): { code?: string; message?: string; fields?: Record<string, string>; detail?: unknown } | null {
  if (typeof body !== "object" || body === null || !("error" in body)) return null;
  const e = (body as { error: unknown }).error;
  if (typeof e !== "object" || e === null) return null;
  const { code, message, fields, detail } = e as Record<string, unknown>;
  const stringFields: Record<string, string> = {};
  if (typeof fields === "object" && fields !== null)
    for (const [k, v] of Object.entries(fields)) if (typeof v === "string") stringFields[k] = v;
  return {
    code: typeof code === "string" ? code : undefined,
    message: typeof message === "string" ? message : undefined,
    fields: stringFields,
    detail,
  };
}

/** The error of a non-2xx answer; `body` is the parsed JSON or null when it was not JSON. */
export function errorFromResponse(status: number, body: unknown): ApiError {
  const e = errorBodyOf(body);
  const kind = kindOf(status, e?.code);
  const fields = e?.fields ?? {};
  let message: string;
  if (kind === "signed-out") message = SIGNED_OUT_MESSAGE;
  // the server's own words when it gave them: they say which record and why (an MRN in use,
  // a retired protocol, a row changed at the same moment)
  else message = e?.message ?? (kind === "conflict" ? CONFLICT_MESSAGE : `The server answered ${status}. Nothing was saved.`);
  return {
    status,
    code: e?.code ?? `HTTP_${status}`,
    kind,
    message,
    fields,
    ...(e?.detail !== undefined ? { detail: e.detail } : {}),
    retryable: status >= 500,
  };
}

/** No answer at all: the request may have landed, so it is retried with the same key. */
export function networkError(): ApiError {
  return { status: 0, code: "NETWORK", kind: "network", message: NETWORK_MESSAGE, fields: {}, retryable: true };
}

/** The shared zod schema refused the input in the browser: nothing was sent. */
export function invalidInputError(fields: Record<string, string>): ApiError {
  return { status: 0, code: "BAD_INPUT", kind: "invalid", message: INVALID_MESSAGE, fields, retryable: false };
}

/** Whether a conflict asks for a reload (the record changed) rather than a field fix. */
export function needsReload(error: ApiError): boolean {
  return error.kind === "conflict" && Object.keys(error.fields).length === 0;
}

/** The caller cancelled (a newer search, a cancelled export): not a failure to show. */
export function abortedError(): ApiError {
  return { status: 0, code: "ABORTED", kind: "network", message: "Cancelled.", fields: {}, retryable: false };
}
