"use client";
import { useRef, useState } from "react";
import { isRetryable, newIdempotencyKey, postJson, type ApiError, type ApiResult } from "@/app/_components/api";

/**
 * Submits one form: one request at a time, the server's message and field errors kept for
 * display, and the same Idempotency-Key reused when an identical body is retried after a
 * network failure or a 5xx (the first attempt may have landed).
 */
export function useSubmit() {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const inFlight = useRef(false);
  const retry = useRef<{ key: string; body: string } | null>(null);

  async function submit<T>(url: string, body: unknown): Promise<ApiResult<T> | null> {
    if (inFlight.current) return null;
    inFlight.current = true;
    setPending(true);
    setError(null);
    const bodyText = JSON.stringify(body);
    const key = retry.current && retry.current.body === bodyText ? retry.current.key : newIdempotencyKey();
    try {
      const result = await postJson<T>(url, body, { idempotencyKey: key });
      retry.current = !result.ok && isRetryable(result.error) ? { key, body: bodyText } : null;
      if (!result.ok) setError(result.error);
      return result;
    } finally {
      inFlight.current = false;
      setPending(false);
    }
  }

  return { submit, pending, error, fieldErrors: error?.fields ?? {}, formError: error?.message ?? null, clearError: () => setError(null) };
}
