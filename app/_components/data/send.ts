/**
 * The browser's one way to talk to the API. Every request of every page goes through here:
 *
 *   form / component
 *     -> useMutation (writes: zod first, one Idempotency-Key per intent)   use-mutation.ts
 *     -> useRead / read (GETs and the POST-as-read patient search)         use-read.ts
 *        -> request / requestStream (answer -> ApiResult, 401 -> /login)   this file
 *           -> send(request)  <- THE SEAM: the only place `fetch` is called
 *
 * The seam: `send` takes a plain, serialisable ApiRequest (method, url, JSON body,
 * Idempotency-Key) and returns a Response, or throws like fetch when there is no network.
 * An offline queue plugs in here and nowhere else: it can store a write (its key and body
 * are already final, and a replay with the same key is stored once by the server), answer
 * with a synthetic Response, and replay later through the same function. Nothing above it
 * needs to change. See docs/decisions/0008-client-data-layer.md.
 *
 * The offline queue is plugged in (offline-queue.ts, docs/decisions/0017-offline-charting.md):
 * a charting write marked `queue` that throws for want of a network, or that would overtake an
 * entry of its session still waiting on this device, is stored there and answered 202
 * `{ queued: true }`. The queue sends later through `sendDirect`, with the same key.
 */
import { abortedError, errorFromResponse, networkError, SIGNED_OUT_WRITE_MESSAGE, type ApiError, type ApiResult } from "@/lib/client/api-error";
import { safeReturnPath } from "@/lib/client/intent";
import { enqueue, isQueueable, isStillReplaceable, markReplaced, mustWaitBehindQueue, replacedGoneResponse } from "./offline-queue";

export interface ApiRequest {
  method: "GET" | "POST";
  url: string;
  /** JSON-serialisable; absent for a GET */
  body?: unknown;
  idempotencyKey?: string;
  signal?: AbortSignal;
  /**
   * a bedside charting write that may wait in the offline queue: the device time of the save
   * press, and the refused queued entry it charts again from its form, if it does
   */
  queue?: { pressedAtMs: number; replacesKey?: string };
}

/**
 * THE seam: one request out, one Response back (or a thrown network/abort error). A queueable
 * write goes to the offline queue instead of failing (see above).
 */
export async function send(request: ApiRequest): Promise<Response> {
  if (!request.queue || !isQueueable(request)) return sendDirect(request);
  const { pressedAtMs, replacesKey } = request.queue;
  const queued = { ...request, pressedAtMs, replacesKey };
  // A refused entry charted again from its form replaces it (decision 0017): only while it is
  // still refused here, or the same intent could be charted twice.
  if (replacesKey !== undefined && !(await isStillReplaceable(queued).catch(() => false))) return replacedGoneResponse();
  // a later entry never overtakes an earlier one of the same session still on this device
  // (no IndexedDB, e.g. a private window: no queue, the write goes out as before)
  if (await mustWaitBehindQueue(queued).catch(() => false)) return enqueue(queued);
  try {
    const res = await sendDirect(request);
    // stored: the refused entry leaves the queue, recorded as charted again; if the record
    // fails it stays under "needs attention", shown, never dropped
    if (res.ok && replacesKey !== undefined && request.idempotencyKey)
      await markReplaced(replacesKey, request.idempotencyKey).catch((e: unknown) => console.error("could not mark the refused entry replaced", e));
    return res;
  } catch (err) {
    if (isAbort(err) || request.signal?.aborted) throw err;
    // could not store it either: the form says "no connection, press save again" as before
    return enqueue(queued).catch(() => { throw err; });
  }
}

/** The request itself: the only `fetch` of the app's own API (the offline queue sends through it too). */
export async function sendDirect(request: ApiRequest): Promise<Response> {
  const headers: Record<string, string> = {};
  if (request.body !== undefined) headers["Content-Type"] = "application/json";
  if (request.idempotencyKey) headers["Idempotency-Key"] = request.idempotencyKey;
  return fetch(request.url, {
    method: request.method,
    headers,
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
    cache: "no-store",
    signal: request.signal,
  });
}

/**
 * The sign-in has ended on a read: go to /login and come back here afterwards. The idle
 * warning (idle-sign-out.tsx) comes a minute before this can happen.
 */
export function goToSignIn(): void {
  const here = safeReturnPath(window.location.pathname + window.location.search);
  window.location.assign(`/login?reason=idle&callbackUrl=${encodeURIComponent(here)}`);
}

function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === "AbortError";
}

async function sendOrError(request: ApiRequest): Promise<Response | ApiError> {
  try {
    return await send(request);
  } catch (err) {
    return isAbort(err) || request.signal?.aborted ? abortedError() : networkError();
  }
}

/**
 * A read that finds the sign-in ended goes to /login (nothing typed is lost). A write does
 * not: leaving the page would throw away an entry the nurse typed at the bedside, so the form
 * keeps it and says to sign in again in another tab and press save again; the retry reuses
 * the intent's Idempotency-Key, so it is charted once.
 */
async function errorOf(res: Response, req: ApiRequest): Promise<ApiError> {
  const body: unknown = await res.json().catch(() => null);
  const error = errorFromResponse(res.status, body);
  if (error.kind !== "signed-out") return error;
  if (req.idempotencyKey) return { ...error, message: SIGNED_OUT_WRITE_MESSAGE };
  goToSignIn();
  return error;
}

/** Sends and reads the JSON answer. Never throws: failures come back as `{ ok: false, error }`. */
export async function request<T>(req: ApiRequest): Promise<ApiResult<T>> {
  const res = await sendOrError(req);
  if (!(res instanceof Response)) return { ok: false, error: res };
  if (!res.ok) return { ok: false, error: await errorOf(res, req) };
  try {
    return { ok: true, data: (await res.json()) as T };
  } catch (err) {
    // a 2xx whose body did not arrive whole: it landed, but say so rather than guess
    return { ok: false, error: isAbort(err) ? abortedError() : networkError() };
  }
}

/** Like `request`, for an answer read as a stream (the export download). */
export async function requestStream(req: ApiRequest): Promise<{ ok: true; response: Response } | { ok: false; error: ApiError }> {
  const res = await sendOrError(req);
  if (!(res instanceof Response)) return { ok: false, error: res };
  if (!res.ok || !res.body) return { ok: false, error: await errorOf(res, req) };
  return { ok: true, response: res };
}
