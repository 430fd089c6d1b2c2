/**
 * Reads GET /api/events the way a test can: Node's fetch with the session cookie of a
 * signed-in API context, parsing Server-Sent Events as they arrive (a stream never "ends",
 * so Playwright's request API, which waits for the whole body, cannot read it).
 */
import type { APIRequestContext } from "@playwright/test";

export interface SseEvent { event: string; id?: string; data: string; atMs: number }

export interface OpenStream {
  status: number;
  headers: Record<string, string>;
  events: SseEvent[];
  comments: string[];
  /** resolves with the first event (already received or to come) that matches */
  waitFor(pred: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  close(): void;
  /** the whole body when the server ended it (a 401's JSON) */
  text(): Promise<string>;
}

async function cookieHeader(ctx: APIRequestContext): Promise<string> {
  const { cookies } = await ctx.storageState();
  return cookies.map((c) => `${c.name}=${c.value}`).join("; ");
}

export async function openEventStream(ctx: APIRequestContext | null, url: string, headers: Record<string, string> = {}): Promise<OpenStream> {
  const abort = new AbortController();
  const res = await fetch(url, {
    headers: { Accept: "text/event-stream", ...(ctx ? { Cookie: await cookieHeader(ctx) } : {}), ...headers },
    signal: abort.signal,
  });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const waiters: { pred: (e: SseEvent) => boolean; resolve: (e: SseEvent) => void }[] = [];
  const isStream = (res.headers.get("content-type") ?? "").startsWith("text/event-stream");
  let bodyText = "";
  if (isStream && res.body) {
    void (async () => {
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let end: number;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const e: SseEvent = { event: "message", data: "", atMs: Date.now() };
            let hasField = false;
            const data: string[] = [];
            for (const line of block.split("\n")) {
              if (line.startsWith(":")) { comments.push(line.slice(1).trim()); continue; }
              const i = line.indexOf(":");
              const field = i < 0 ? line : line.slice(0, i);
              const value = i < 0 ? "" : line.slice(i + 1).replace(/^ /, "");
              if (field === "event") { e.event = value; hasField = true; }
              else if (field === "id") { e.id = value; hasField = true; }
              else if (field === "data") { data.push(value); hasField = true; }
            }
            if (!hasField || data.length === 0) continue;
            e.data = data.join("\n");
            events.push(e);
            for (const w of [...waiters]) if (w.pred(e)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(e); }
          }
        }
      } catch { /* aborted */ }
    })();
  } else {
    bodyText = await res.text();
  }
  return {
    status: res.status,
    headers: Object.fromEntries(res.headers.entries()),
    events,
    comments,
    waitFor(pred, timeoutMs = 5_000) {
      const found = events.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = { pred, resolve: (e: SseEvent) => { clearTimeout(t); resolve(e); } };
        const t = setTimeout(() => { waiters.splice(waiters.indexOf(w), 1); reject(new Error(`no matching event within ${timeoutMs} ms`)); }, timeoutMs);
        waiters.push(w);
      });
    },
    close() { abort.abort(); },
    text: () => Promise.resolve(bodyText),
  };
}
