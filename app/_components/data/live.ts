"use client";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useSyncExternalStore, useTransition } from "react";
import { coalesce, parseLiveEvent, type LiveEvent } from "@/lib/live-events";

/**
 * Screens that update themselves (docs/decisions/0014-live-events.md). ONE EventSource per tab
 * on GET /api/events, shared by every subscriber of the page; each subscriber says which
 * events concern it and how to refetch. The events carry ids and kinds only: what a screen
 * shows always comes from its own (audited, clinic-scoped) read.
 *
 * Resumption: the server keeps no history, so after any gap (a dropped stream, a sleeping
 * tablet, the server's listener reconnecting) every subscriber refetches: `resync`.
 */

export type LiveStatus = "connecting" | "live" | "reconnecting";
type Signal = LiveEvent | "resync";

const EVENTS_URL = "/api/events";
/** After the browser gave up (401, a server error), try again after this, doubling to the max. */
const REOPEN_START_MS = 2_000;
const REOPEN_MAX_MS = 30_000;

const subscribers = new Set<(s: Signal) => void>();
const statusListeners = new Set<() => void>();
let source: EventSource | null = null;
let status: LiveStatus = "connecting";
let openedOnce = false;
let reopenTimer: number | null = null;
let reopenMs = REOPEN_START_MS;

function setStatus(next: LiveStatus) {
  if (status === next) return;
  status = next;
  for (const l of statusListeners) l();
}

function signal(s: Signal) {
  for (const sub of subscribers) sub(s);
}

function scheduleReopen(delayMs: number) {
  if (reopenTimer !== null) return;
  reopenTimer = window.setTimeout(() => {
    reopenTimer = null;
    if (subscribers.size + statusListeners.size > 0) open();
  }, delayMs);
}

function open() {
  if (source || typeof window === "undefined" || typeof EventSource === "undefined") return;
  const es = new EventSource(EVENTS_URL);
  source = es;
  es.addEventListener("ready", () => {
    setStatus("live");
    reopenMs = REOPEN_START_MS;
    // Connected again after a gap: whatever changed meanwhile was not seen. Refetch.
    if (openedOnce) signal("resync");
    openedOnce = true;
  });
  es.addEventListener("change", (m) => {
    const e = parseLiveEvent((m as MessageEvent<string>).data);
    if (e) signal(e);
  });
  es.addEventListener("resync", () => signal("resync"));
  // The server ended the stream (the sign-in's idle or absolute end): reconnect with the
  // current cookie; a real sign-out answers 401 and the page's own sign-out takes over.
  es.addEventListener("end", () => {
    es.close();
    if (source === es) source = null;
    setStatus("reconnecting");
    scheduleReopen(REOPEN_START_MS);
  });
  es.onerror = () => {
    setStatus("reconnecting");
    // CONNECTING: the browser retries by itself (the server's `retry:` hint). CLOSED: it gave
    // up (a 401 or a non-stream answer): we try again later, backing off.
    if (es.readyState === EventSource.CLOSED) {
      if (source === es) source = null;
      scheduleReopen(reopenMs);
      reopenMs = Math.min(reopenMs * 2, REOPEN_MAX_MS);
    }
  };
}

function closeIfUnused() {
  if (subscribers.size + statusListeners.size > 0) return;
  source?.close();
  source = null;
  openedOnce = false;
  if (reopenTimer !== null) window.clearTimeout(reopenTimer);
  reopenTimer = null;
  setStatus("connecting");
}

function subscribe(fn: (s: Signal) => void): () => void {
  subscribers.add(fn);
  open();
  return () => { subscribers.delete(fn); closeIfUnused(); };
}

function subscribeStatus(fn: () => void): () => void {
  statusListeners.add(fn);
  open();
  return () => { statusListeners.delete(fn); closeIfUnused(); };
}

/**
 * Calls `onChange` when an event `match`es, and on every resync. Coalesced: at most one
 * `onChange` in flight (when it returns a promise), and one trailing call for whatever
 * arrived meanwhile, so a burst of events is one or two refetches, never a lost last change.
 */
export function useLiveEvents(match: (e: LiveEvent) => boolean, onChange: () => Promise<unknown> | void): void {
  const matchRef = useRef(match);
  const changeRef = useRef(onChange);
  useEffect(() => { matchRef.current = match; changeRef.current = onChange; });
  useEffect(() => {
    const run = coalesce(() => changeRef.current());
    return subscribe((s) => { if (s === "resync" || matchRef.current(s)) void run(); });
  }, []);
}

/**
 * A refresh counts as done when its transition ends, or after this at the latest: a transition
 * React finished without a pending render must not hold the next (trailing) refresh back.
 */
const REFRESH_SETTLE_MAX_MS = 1_500;

/**
 * For server-rendered screens: re-renders the page from the server when a matching event
 * arrives (router.refresh). Client state (what is typed in a form, a ticked box) is kept:
 * React keeps the components and only their server props change.
 */
export function useLiveRefresh(match: (e: LiveEvent) => boolean): void {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const waiters = useRef<(() => void)[]>([]);
  useEffect(() => {
    if (pending) return;
    const done = waiters.current;
    waiters.current = [];
    for (const w of done) w();
  }, [pending]);
  useLiveEvents(match, () => new Promise<void>((resolve) => {
    const timer = window.setTimeout(resolve, REFRESH_SETTLE_MAX_MS);
    waiters.current.push(() => { window.clearTimeout(timer); resolve(); });
    startTransition(() => router.refresh());
  }));
}

/** The connection's state, for the header's indicator. */
export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(subscribeStatus, () => status, () => "connecting");
}
