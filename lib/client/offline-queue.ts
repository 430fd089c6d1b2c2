/**
 * The rules of the bedside offline queue, pure so they can be tested without a browser
 * (docs/decisions/0017-offline-charting.md). The IndexedDB store and the sync loop that apply
 * them live in app/_components/data/offline-queue.ts.
 *
 * - Only charting writes queue (dose events, vitals, pain, side effects of one session), each
 *   with its Idempotency-Key, its body (clinical time included) and the device time of the press.
 * - Order: entries are sent one at a time in the order they were pressed. Within a session an
 *   entry never overtakes an earlier one: a session whose first entry waits for a retry, or
 *   was refused and needs the nurse, holds its later entries back. Other sessions go on.
 * - Owner: an entry belongs to the user (and clinic) who charted it; only that user's own
 *   entries are sent, under that user's sign-in.
 */
import { effectiveRows } from "@/lib/domain/charting";
import { deciCFromC, rateUgPerKgPerHFromMgPerKgPerH, ugFromMg } from "@/lib/domain/units";

export type QueueKind = "dose-events" | "vitals" | "pain" | "side-effects";
export type QueueState = "waiting" | "needs-attention";

export interface QueueOwner {
  userId: string;
  clinicId: string;
}

/** What the server said when it refused an entry at sync. */
export interface QueueRefusal {
  status: number;
  message: string;
  fields: Record<string, string>;
}

export interface QueuedEntry extends QueueOwner {
  /** the Idempotency-Key of the intent, unchanged from the first attempt; also the store's key */
  key: string;
  /** order of the presses on this device (strictly increasing) */
  seq: number;
  sessionId: string;
  kind: QueueKind;
  url: string;
  /** the body first sent, with `queuedAt` (the press) added */
  body: Record<string, unknown> & { at: string; queuedAt: string };
  /** device time of the save press, ms */
  queuedAtMs: number;
  state: QueueState;
  attempts: number;
  /** not before this instant (device ms): the retry backoff */
  nextAttemptAtMs: number;
  refusal: QueueRefusal | null;
}

const TARGET = /^\/api\/sessions\/([A-Za-z0-9_-]+)\/(dose-events|vitals|pain|side-effects)$/;

/** The session and kind of a charting write, or null for any other request (never queued). */
export function queueTargetOf(method: string, url: string): { sessionId: string; kind: QueueKind } | null {
  if (method !== "POST") return null;
  const m = TARGET.exec(url);
  return m ? { sessionId: m[1]!, kind: m[2] as QueueKind } : null;
}

export const isOwnedBy = (e: QueueOwner, owner: QueueOwner | null): boolean =>
  owner !== null && e.userId === owner.userId && e.clinicId === owner.clinicId;

/** The owner's entries in press order. */
export function ownEntries(entries: readonly QueuedEntry[], owner: QueueOwner | null): QueuedEntry[] {
  return entries.filter((e) => isOwnedBy(e, owner)).sort((a, b) => a.seq - b.seq);
}

/**
 * The next entry to send, or null: the owner's earliest entry whose session has nothing
 * earlier still waiting or refused. A session's head entry that is not due yet (backoff), or
 * that needs the nurse, holds that session back (no overtaking); other sessions are not held.
 */
export function nextToSend(entries: readonly QueuedEntry[], owner: QueueOwner | null, nowMs: number): QueuedEntry | null {
  const held = new Set<string>();
  for (const e of ownEntries(entries, owner)) {
    if (held.has(e.sessionId)) continue;
    held.add(e.sessionId); // whatever happens to the head, the later entries of its session wait
    if (e.state === "waiting" && e.nextAttemptAtMs <= nowMs) return e;
  }
  return null;
}

/**
 * True when a new write for the session must join the queue behind the owner's entries. A
 * write that replaces a refused entry (`replacesKey`: that entry charted again from its form)
 * takes the refused entry's place in the press order: only the session's entries pressed
 * before it hold it back, not the ones that were waiting behind it.
 */
export function mustQueueBehind(entries: readonly QueuedEntry[], owner: QueueOwner | null, sessionId: string, replacesKey?: string): boolean {
  const replaced = replacesKey === undefined ? undefined : entries.find((e) => e.key === replacesKey && isOwnedBy(e, owner));
  return entries.some((e) => isOwnedBy(e, owner) && e.sessionId === sessionId && e.key !== replacesKey && (replaced === undefined || e.seq < replaced.seq));
}

/**
 * The refused entry `key` of the owner in this session, or null. Only such an entry may be
 * replaced by a write charted again from its form: one that is waiting again (sent again as it
 * is, perhaps from another tab), stored, discarded, or another user's is not, or the same
 * intent could be charted twice.
 */
export function replaceableEntry(entries: readonly QueuedEntry[], owner: QueueOwner | null, sessionId: string, key: string): QueuedEntry | null {
  return entries.find((e) => e.key === key && isOwnedBy(e, owner) && e.sessionId === sessionId && e.state === "needs-attention") ?? null;
}

/**
 * The entry a charting write becomes in the queue. Its press (`queuedAtMs`, and `queuedAt` in
 * the body) is the save press, unless the body already carries one: an entry charted again
 * from a refused one with its time kept carries that entry's offline press (decision 0017,
 * lib/domain/charting-entry `carriedPressMs`). `seq` places it in the press order: the next
 * one, or the refused entry's own when it replaces one.
 */
export function queuedEntryOf(input: {
  key: string; seq: number; owner: QueueOwner; sessionId: string; kind: QueueKind; url: string;
  body: Record<string, unknown> & { at: string }; pressedAtMs: number;
}): QueuedEntry {
  const carried = typeof input.body.queuedAt === "string" ? Date.parse(input.body.queuedAt) : Number.NaN;
  const queuedAtMs = Number.isFinite(carried) ? carried : input.pressedAtMs;
  return {
    key: input.key, seq: input.seq, userId: input.owner.userId, clinicId: input.owner.clinicId, sessionId: input.sessionId, kind: input.kind, url: input.url,
    body: { ...input.body, queuedAt: new Date(queuedAtMs).toISOString() }, queuedAtMs,
    state: "waiting", attempts: 0, nextAttemptAtMs: 0, refusal: null,
  };
}

export type SyncOutcome = "stored" | "retry" | "signed-out" | "needs-attention";

/**
 * What an answer at sync means. No answer, a 5xx, 408 or 429: try again later (the same key,
 * so an entry that did land is stored once). 401: stop and ask to sign in again (the queue is
 * kept). Any other refusal (400 bad input or a missing late-charting reason, 403, 404, 409 the
 * session was completed or signed meanwhile, 422 a hard limit needing an override): the entry
 * stays, marked for the nurse, never dropped.
 */
export function outcomeOf(status: number | "network"): SyncOutcome {
  if (status === "network") return "retry";
  if (status >= 200 && status < 300) return "stored";
  if (status === 401) return "signed-out";
  if (status >= 500 || status === 408 || status === 429) return "retry";
  return "needs-attention";
}

/** The retry delay after `attempts` failed tries: 2 s, 4 s, 8 s ... at most 60 s. */
export function backoffMs(attempts: number): number {
  return Math.min(60_000, 2_000 * 2 ** Math.max(0, attempts - 1));
}

/** The entry after an attempt ended with `outcome` at `nowMs` (a stored entry is removed by the caller). */
export function afterAttempt(e: QueuedEntry, outcome: Exclude<SyncOutcome, "stored">, nowMs: number, refusal: QueueRefusal | null): QueuedEntry {
  if (outcome === "needs-attention") return { ...e, state: "needs-attention", refusal, attempts: e.attempts + 1 };
  if (outcome === "signed-out") return { ...e, nextAttemptAtMs: nowMs };
  return { ...e, attempts: e.attempts + 1, nextAttemptAtMs: nowMs + backoffMs(e.attempts + 1) };
}

/**
 * Whether a refused entry can be loaded back into its bedside form and charted again. A
 * correction cannot: its form is opened from the row it corrects (the chart log), which the
 * queued body names only by id; the nurse corrects that row again instead.
 */
export function canChartAgainInForm(e: QueuedEntry): boolean {
  return e.state === "needs-attention" && (e.body.correctsId === undefined || e.body.correctsId === null);
}

/**
 * Whether what the server said of a refused entry still speaks for the entry being charted
 * again from it: true while each of `fields` holds the value the refused entry was sent with
 * (compared as sent: ISO instants, numbers in the body's units; absent stays absent). The
 * server's reading wins over the form's while they are kept: the form may not yet see what the
 * server refused for (another device's entry, read after the network returned).
 */
export function keepsRefusedValues(e: QueuedEntry, body: Record<string, unknown>, fields: readonly string[]): boolean {
  return fields.every((f) => body[f] === e.body[f]);
}

/** "3 entries waiting to sync" */
export function waitingText(n: number): string {
  return `${n} ${n === 1 ? "entry" : "entries"} waiting to sync`;
}

// ------------------------------------------------------------------ the chart view

/** Marks a row that exists only in this device's queue. */
export interface PendingMark {
  pendingSync: QueueState;
}

interface RowBase {
  id: string; at: string; enteredById: string; enteredAt: string; enteredBy: string | null; queuedAt: string | null;
  correctsId: string | null; correctionReason: string | null; isRetraction: boolean;
}
export interface ChartRowsLike {
  id: string;
  doseEvents: readonly (RowBase & { type: string })[];
  vitals: readonly (RowBase & { isBaseline: boolean })[];
  painScores: readonly RowBase[];
  sideEffects: readonly RowBase[];
}

const str = (v: unknown): string | null => (typeof v === "string" && v.trim() ? v.trim() : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** The row a queued entry will become, as the chart DTO shapes it (ids "queued:<key>"). */
function rowOf(e: QueuedEntry, enteredBy: string | null) {
  const b = e.body;
  return {
    id: `queued:${e.key}`, at: new Date(b.at).toISOString(), enteredById: e.userId, enteredAt: new Date(e.queuedAtMs).toISOString(), enteredBy,
    queuedAt: new Date(e.queuedAtMs).toISOString(), correctsId: str(b.correctsId), correctionReason: str(b.correctionReason), isRetraction: false,
    pendingSync: e.state,
  };
}

/**
 * The chart the screen computes from: the server's rows plus this session's queued entries
 * of the owner, each as the row the server will store, in chart order (at, then entry). The
 * live header, the vitals countdown and the flag engine run on it unchanged, so they keep
 * computing while the network is down. A refused entry is not merged: it was not accepted,
 * and it is shown apart with the server's message.
 */
export function withQueuedRows<C extends ChartRowsLike>(chart: C, entries: readonly QueuedEntry[], owner: QueueOwner | null, enteredBy: string | null): C {
  const mine = ownEntries(entries, owner).filter((e) => e.sessionId === chart.id && e.state === "waiting");
  if (mine.length === 0) return chart;
  const byKind = (k: QueueKind) => mine.filter((e) => e.kind === k);
  const order = <R extends { at: string; enteredAt: string }>(rows: R[]) =>
    rows.map((r, i) => ({ r, i })).sort((x, y) => Date.parse(x.r.at) - Date.parse(y.r.at) || Date.parse(x.r.enteredAt) - Date.parse(y.r.enteredAt) || x.i - y.i).map((x) => x.r);

  const dose = byKind("dose-events").map((e) => {
    const rate = num(e.body.rateMgPerKgPerH);
    const bolus = num(e.body.bolusMg);
    return {
      ...rowOf(e, enteredBy), type: String(e.body.type),
      rateUgPerKgPerH: rate === null ? null : rateUgPerKgPerHFromMgPerKgPerH(rate), bolusUg: bolus === null ? null : ugFromMg(bolus),
      reason: str(e.body.reason) ?? str(e.body.backTimeReason), overrideReason: str(e.body.overrideReason),
    };
  });
  // the server makes the first set of a session its baseline, as here
  let hasBaseline = effectiveRows(chart.vitals).length > 0;
  const vitals = byKind("vitals").map((e) => {
    const isBaseline = typeof e.body.isBaseline === "boolean" ? e.body.isBaseline : !hasBaseline && !e.body.correctsId;
    hasBaseline ||= isBaseline;
    const t = num(e.body.temperatureC);
    return {
      ...rowOf(e, enteredBy), systolicMmHg: num(e.body.systolicMmHg), diastolicMmHg: num(e.body.diastolicMmHg), heartRatePerMin: num(e.body.heartRatePerMin),
      spo2Pct: num(e.body.spo2Pct), respRatePerMin: num(e.body.respRatePerMin), temperatureDeciC: t === null ? null : deciCFromC(t),
      sedationRass: num(e.body.sedationRass), isBaseline,
    };
  });
  const pain = byKind("pain").map((e) => ({ ...rowOf(e, enteredBy), score: num(e.body.score), scale: String(e.body.scale), phase: String(e.body.phase) }));
  const sideEffects = byKind("side-effects").map((e) => ({
    ...rowOf(e, enteredBy), kind: String(e.body.kind), severity: num(e.body.severity), intervention: str(e.body.intervention), note: str(e.body.note),
  }));
  return {
    ...chart,
    doseEvents: order([...chart.doseEvents, ...dose]),
    vitals: order([...chart.vitals, ...vitals]),
    painScores: order([...chart.painScores, ...pain]),
    sideEffects: order([...chart.sideEffects, ...sideEffects]),
  } as C;
}

/** The queue state of a chart row: "waiting" or "needs-attention" for a row only on this device, else null. */
export function pendingStateOf(row: object): QueueState | null {
  return "pendingSync" in row ? (row as PendingMark).pendingSync : null;
}
