"use client";
/**
 * The bedside offline queue (docs/decisions/0017-offline-charting.md): charting writes that
 * could not reach the server wait here, in IndexedDB (so a reload, a sleeping tablet or a
 * closed tab keeps them), and are sent in press order, one at a time, when the network
 * returns. The rules (what queues, the order, what an answer means) are pure and tested in
 * lib/client/offline-queue.ts; this file applies them to the store.
 *
 * It plugs into the one seam, `send` (send.ts): a charting write that throws for want of a
 * network, or that would overtake an entry of its session still queued, is stored here and
 * answered with a synthetic 202 `{ queued: true }`. The sync loop sends through a function it
 * is given (send itself), so `fetch` stays in one place.
 */
import { openDB, type IDBPDatabase } from "idb";
import { useSyncExternalStore } from "react";
import { errorFromResponse } from "@/lib/client/api-error";
import {
  afterAttempt, mustQueueBehind, nextToSend, outcomeOf, queuedEntryOf, queueTargetOf, replaceableEntry,
  type QueuedEntry, type QueueOwner, type QueueRefusal,
} from "@/lib/client/offline-queue";

export interface OfflineOwner extends QueueOwner {
  name: string;
}

/**
 * A refused entry taken out of the queue by the nurse, kept on this device as her decision:
 * discarded (not charted), or replaced by the entry she charted again from its form
 * (`replacedBy`: its Idempotency-Key, and whether the server stored it at once or it was
 * saved on this device to sync).
 */
export interface DiscardedEntry {
  entry: QueuedEntry;
  discardedAtMs: number;
  discardedBy: string;
  replacedBy?: { key: string; state: "stored" | "queued" };
}

export interface OfflineState {
  entries: QueuedEntry[];
  discarded: DiscardedEntry[];
  owner: OfflineOwner | null;
  /** a sync met a 401: sending stopped until the user signs in again (the queue is kept) */
  signedOut: boolean;
  /** the page was opened from the service worker's copy (the network was down) */
  pageFromCache: boolean;
  /** the service worker holds this page and the app shell: a reload offline opens it */
  offlineReady: boolean;
  /** bumped after each entry the server stored, so open screens re-read their chart */
  storedCount: number;
  /**
   * bumped after each entry the server refused: what it refused for (the session completed or
   * signed, another device's entry) is on its chart, which open screens then re-read, so the
   * forms offered for charting the entry again see the session as it is
   */
  refusedCount: number;
}

const EMPTY: OfflineState = { entries: [], discarded: [], owner: null, signedOut: false, pageFromCache: false, offlineReady: false, storedCount: 0, refusedCount: 0 };
let state: OfflineState = EMPTY;
const listeners = new Set<() => void>();

function setState(patch: Partial<OfflineState>): void {
  state = { ...state, ...patch };
  for (const l of listeners) l();
}

export function useOfflineQueue(): OfflineState {
  return useSyncExternalStore(
    (l) => { listeners.add(l); return () => { listeners.delete(l); }; },
    () => state,
    () => EMPTY,
  );
}

// ------------------------------------------------------------------ the store

let dbPromise: Promise<IDBPDatabase> | null = null;
function db(): Promise<IDBPDatabase> {
  dbPromise ??= openDB("titrate-offline", 1, {
    upgrade(d) {
      d.createObjectStore("entries", { keyPath: "key" });
      d.createObjectStore("discarded", { autoIncrement: true });
    },
  });
  return dbPromise;
}

let loaded: Promise<void> | null = null;
async function reload(): Promise<void> {
  const d = await db();
  const entries = ((await d.getAll("entries")) as QueuedEntry[]).sort((a, b) => a.seq - b.seq);
  const discarded = (await d.getAll("discarded")) as DiscardedEntry[];
  setState({ entries, discarded });
}
const ensureLoaded = () => (loaded ??= reload());

export function setOwner(owner: OfflineOwner | null): void {
  const changed = owner?.userId !== state.owner?.userId || owner?.clinicId !== state.owner?.clinicId;
  setState({ owner, ...(changed ? { signedOut: false } : {}) });
  void ensureLoaded().then(() => syncNow({ now: true }));
}

export function setPageFromCache(pageFromCache: boolean): void {
  setState({ pageFromCache });
}

export function setOfflineReady(offlineReady: boolean): void {
  setState({ offlineReady });
}

/** A queued answer, as `request` returns it to the form. */
export interface QueuedAnswer {
  queued: true;
  key: string;
  waiting: number;
}

export function isQueuedAnswer(data: unknown): data is QueuedAnswer {
  return typeof data === "object" && data !== null && (data as { queued?: unknown }).queued === true;
}

export interface QueueableRequest {
  method: string;
  url: string;
  body?: unknown;
  idempotencyKey?: string;
  /** device time of the save press */
  pressedAtMs: number;
  /** the refused entry this write charts again from its form: it takes that entry's place */
  replacesKey?: string;
}

/** True when this request may be queued at all: a charting write, with a key, by a known user. */
export function isQueueable(req: Omit<QueueableRequest, "pressedAtMs">): boolean {
  return state.owner !== null && !!req.idempotencyKey && typeof req.body === "object" && req.body !== null && queueTargetOf(req.method, req.url) !== null;
}

/**
 * True when a new write for the request's session must wait behind the user's queued entries
 * (a write replacing a refused entry waits only behind what was pressed before that entry).
 */
export async function mustWaitBehindQueue(req: Omit<QueueableRequest, "pressedAtMs">): Promise<boolean> {
  const target = queueTargetOf(req.method, req.url);
  if (!target) return false;
  await ensureLoaded();
  return mustQueueBehind(state.entries, state.owner, target.sessionId, req.replacesKey);
}

/**
 * True when the refused entry a write would replace is still refused on this device, read
 * afresh from IndexedDB: another tab may have sent it again or discarded it meanwhile, and
 * charting it again then could chart the same intent twice.
 */
export async function isStillReplaceable(req: Omit<QueueableRequest, "pressedAtMs">): Promise<boolean> {
  const target = queueTargetOf(req.method, req.url);
  if (!target || req.replacesKey === undefined) return false;
  await ensureLoaded();
  await reload();
  return replaceableEntry(state.entries, state.owner, target.sessionId, req.replacesKey) !== null;
}

/** The answer to a write whose refused entry is gone: a conflict, nothing sent or stored. */
export function replacedGoneResponse(): Response {
  const error = {
    code: "CONFLICT",
    message: "The refused entry you were charting again is no longer waiting on this device (it was sent again or discarded, perhaps in another tab). Nothing was saved: look at the chart before charting it.",
  };
  return new Response(JSON.stringify({ error }), { status: 409, headers: { "Content-Type": "application/json" } });
}

/**
 * Stores the write at the end of the queue and answers 202 `{ queued: true }`. A write that
 * charts a refused entry again takes that entry's place in the press order, and the refused
 * entry is recorded as replaced in the same transaction, so the two are never both queued.
 */
export async function enqueue(req: QueueableRequest): Promise<Response> {
  const target = queueTargetOf(req.method, req.url);
  const owner = state.owner;
  if (!target || !owner || !req.idempotencyKey) throw new TypeError("not a queueable request");
  const body = req.body as Record<string, unknown> & { at: string };
  const d = await db();
  const tx = d.transaction(["entries", "discarded"], "readwrite");
  const store = tx.objectStore("entries");
  const all = (await store.getAll()) as QueuedEntry[];
  const existing = all.find((e) => e.key === req.idempotencyKey);
  if (!existing) {
    const replaced = req.replacesKey === undefined ? null : replaceableEntry(all, owner, target.sessionId, req.replacesKey);
    if (req.replacesKey !== undefined && !replaced) {
      tx.abort();
      await tx.done.catch(() => undefined);
      return replacedGoneResponse();
    }
    const seq = replaced ? replaced.seq : all.reduce((max, e) => Math.max(max, e.seq), 0) + 1;
    await store.put(queuedEntryOf({ key: req.idempotencyKey, seq, owner, sessionId: target.sessionId, kind: target.kind, url: req.url, body, pressedAtMs: req.pressedAtMs }));
    if (replaced) {
      await tx.objectStore("discarded").add({
        entry: replaced, discardedAtMs: Date.now(), discardedBy: owner.name, replacedBy: { key: req.idempotencyKey, state: "queued" },
      } satisfies DiscardedEntry);
      await store.delete(replaced.key);
    }
  }
  await tx.done;
  await reload();
  scheduleSync(2_000);
  const answer: QueuedAnswer = { queued: true, key: req.idempotencyKey, waiting: state.entries.filter((e) => e.userId === owner.userId).length };
  return new Response(JSON.stringify(answer), { status: 202, headers: { "Content-Type": "application/json" } });
}

// ------------------------------------------------------------------ sync

type Sender = (req: { method: "POST"; url: string; body: unknown; idempotencyKey: string }) => Promise<Response>;
let sender: Sender | null = null;
let syncing = false;
let timer: number | null = null;

/** Gives the sync loop its way out (send.ts `sendDirect`): fetch stays in the one seam. */
export function setSender(s: Sender): void {
  sender = s;
}

function scheduleSync(delayMs: number): void {
  if (typeof window === "undefined") return;
  if (timer !== null) window.clearTimeout(timer);
  timer = window.setTimeout(() => { timer = null; void syncNow(); }, delayMs);
}

function refusalOf(status: number, body: unknown): QueueRefusal {
  const e = errorFromResponse(status, body);
  return { status, message: e.message, fields: e.fields };
}

/**
 * Sends the owner's entries in press order, one at a time, each with its own key, until the
 * queue is empty, the network fails (retried with backoff), or the sign-in has ended.
 * `now`: the browser says the network is back, or the page was just opened: the backoff of
 * earlier failures no longer applies.
 */
export async function syncNow({ now = false }: { now?: boolean } = {}): Promise<void> {
  if (syncing || !sender || !state.owner || state.signedOut) return;
  syncing = true;
  try {
    await ensureLoaded();
    for (;;) {
      await reload();
      const next = nextToSend(state.entries, state.owner, now ? Number.POSITIVE_INFINITY : Date.now());
      if (!next) break;
      let status: number | "network";
      let body: unknown = null;
      try {
        const res = await sender({ method: "POST", url: next.url, body: next.body, idempotencyKey: next.key });
        status = res.status;
        body = await res.json().catch(() => null);
      } catch {
        status = "network";
      }
      const outcome = outcomeOf(status);
      const d = await db();
      if (outcome === "stored") {
        await d.delete("entries", next.key);
        setState({ storedCount: state.storedCount + 1 });
        continue;
      }
      await d.put("entries", afterAttempt(next, outcome, Date.now(), outcome === "needs-attention" && status !== "network" ? refusalOf(status, body) : null));
      if (outcome === "needs-attention") setState({ refusedCount: state.refusedCount + 1 });
      if (outcome === "signed-out") { setState({ signedOut: true }); break; }
      if (outcome === "retry") break; // the network is down or the server is struggling: wait
    }
  } finally {
    syncing = false;
    await reload();
  }
  const waiting = state.entries.filter((e) => state.owner && e.userId === state.owner.userId && e.state === "waiting");
  if (waiting.length > 0 && !state.signedOut) {
    const due = Math.min(...waiting.map((e) => e.nextAttemptAtMs));
    scheduleSync(Math.max(1_000, due - Date.now()));
  }
}

/** The nurse asks to send a refused entry again as it is (after signing in, or the cause was fixed elsewhere). */
export async function retryEntry(key: string): Promise<void> {
  const d = await db();
  const e = (await d.get("entries", key)) as QueuedEntry | undefined;
  if (e) await d.put("entries", { ...e, state: "waiting", attempts: 0, nextAttemptAtMs: 0, refusal: null } satisfies QueuedEntry);
  await reload();
  await syncNow({ now: true });
}

/**
 * The server stored the entry the nurse charted again from the form of refused entry `key`:
 * the refused one leaves the queue, recorded as replaced by it (not as "not charted").
 */
export async function markReplaced(key: string, byKey: string): Promise<void> {
  const d = await db();
  const tx = d.transaction(["entries", "discarded"], "readwrite");
  const e = (await tx.objectStore("entries").get(key)) as QueuedEntry | undefined;
  if (e) {
    await tx.objectStore("discarded").add({
      entry: e, discardedAtMs: Date.now(), discardedBy: state.owner?.name ?? "", replacedBy: { key: byKey, state: "stored" },
    } satisfies DiscardedEntry);
    await tx.objectStore("entries").delete(key);
  }
  await tx.done;
  await reload();
  void syncNow(); // what the refused entry held back may go now
}

/** The nurse's decision: this entry will not be charted. Kept on this device as discarded by her. */
export async function discardEntry(key: string): Promise<QueuedEntry | null> {
  const d = await db();
  const e = (await d.get("entries", key)) as QueuedEntry | undefined;
  if (!e) return null;
  const tx = d.transaction(["entries", "discarded"], "readwrite");
  await tx.objectStore("discarded").add({ entry: e, discardedAtMs: Date.now(), discardedBy: state.owner?.name ?? "" } satisfies DiscardedEntry);
  await tx.objectStore("entries").delete(key);
  await tx.done;
  await reload();
  void syncNow(); // what the refused entry held back may go now
  return e;
}

/**
 * The periodic retry: also after a 401, since the nurse may have signed in again in another
 * tab (the cookie is shared); another 401 costs one request and stops again.
 */
export function retrySoon(): void {
  if (state.signedOut) setState({ signedOut: false });
  void syncNow();
}
