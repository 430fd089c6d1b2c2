"use client";
import { useRef, useState } from "react";
import type { ZodType } from "zod";
import { invalidInputError, type ApiError, type ApiResult } from "@/lib/client/api-error";
import { intentAfter, intentFor, newIdempotencyKey, type Intent } from "@/lib/client/intent";
import { fieldMessages } from "@/lib/validation/common";
import { request, type ApiRequest } from "./send";

export interface SubmitOptions {
  /** the shared schema of lib/validation: checked first, nothing is sent when it refuses */
  schema?: ZodType;
  /** rules beyond the schema that the server also applies (the password policy): field -> message */
  check?: (body: unknown) => Record<string, string>;
  /**
   * What the user typed, when it differs from the body: a bedside form stamps "now" into the
   * body at each press, but pressing again after a lost connection is the same intent.
   * Defaults to the body.
   */
  intent?: unknown;
  /**
   * A bedside charting write: when the network is down it waits in the offline queue
   * (send.ts) and the answer is `{ queued: true }` (offline-queue.ts `isQueuedAnswer`).
   * The device time of the save press, and the refused queued entry this write charts again
   * from its form, which it replaces once stored or queued (decision 0017).
   */
  queue?: { pressedAtMs: number; replacesKey?: string };
}

/**
 * Every write from the browser: one request at a time; the shared zod schema first (instant
 * field errors, nothing sent when invalid); one Idempotency-Key per user intent, reused with
 * the first body on every retry (lib/client/intent.ts); the server's field errors kept for
 * the fields; 401 sends to sign-in (send.ts). Typed input is never touched here: after a
 * network failure the form still holds it and the user presses save again.
 */
export function useMutation() {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const inFlight = useRef(false);
  const pendingIntent = useRef<Intent<ApiRequest> | null>(null);

  async function submit<T>(url: string, body: unknown, options: SubmitOptions = {}): Promise<ApiResult<T> | null> {
    if (inFlight.current) return null; // a double press while saving is the same intent
    const parsed = options.schema?.safeParse(body);
    const invalid: Record<string, string> = parsed && !parsed.success ? fieldMessages(parsed.error.issues) : {};
    for (const [field, message] of Object.entries(options.check?.(body) ?? {})) invalid[field] ??= message;
    if (Object.keys(invalid).length > 0) {
      const failed: ApiResult<T> = { ok: false, error: invalidInputError(invalid) };
      setError(failed.error);
      return failed;
    }
    const intent = intentFor<ApiRequest>(pendingIntent.current, { url, input: options.intent ?? body }, { method: "POST", url, body }, () => newIdempotencyKey());
    inFlight.current = true;
    setPending(true);
    setError(null);
    try {
      const result = await request<T>({ ...intent.request, idempotencyKey: intent.key, ...(options.queue ? { queue: options.queue } : {}) });
      pendingIntent.current = intentAfter(intent, result);
      if (!result.ok) setError(result.error);
      return result;
    } finally {
      inFlight.current = false;
      setPending(false);
    }
  }

  return {
    submit,
    pending,
    error,
    fieldErrors: error?.fields ?? {},
    formError: error?.message ?? null,
    clearError: () => setError(null),
  };
}
