"use client";
import { useState } from "react";
import type { ApiError, ApiResult } from "@/lib/client/api-error";
import { request } from "./send";

/**
 * Every read from the browser. A GET, or a POST that only reads (the patient search: its
 * query is in the body so that no name or MRN is ever in a URL, history, log or Referer).
 * No Idempotency-Key: reading twice changes nothing. 401 sends to sign-in (send.ts).
 */
export function read<T>(url: string, opts: { body?: unknown; signal?: AbortSignal } = {}): Promise<ApiResult<T>> {
  return request<T>({ method: opts.body === undefined ? "GET" : "POST", url, body: opts.body, signal: opts.signal });
}

/** `read` with its busy flag and last error kept for display. */
export function useRead() {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  async function run<T>(url: string, opts: { body?: unknown; signal?: AbortSignal } = {}): Promise<ApiResult<T>> {
    setPending(true);
    setError(null);
    try {
      const result = await read<T>(url, opts);
      if (!result.ok && result.error.code !== "ABORTED") setError(result.error);
      return result;
    } finally {
      setPending(false);
    }
  }

  return { read: run, pending, error };
}
