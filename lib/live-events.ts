/**
 * The live event: what changed, named by kind and ids only (docs/decisions/0014-live-events.md).
 * The database sends it on every committed write a screen shows; the server passes it to the
 * event streams of the same clinic; the browser refetches what it may see. Never a name, an
 * MRN, a value or a note: the refetch is the audited read. Pure, shared by server and browser.
 */

/** The kinds the database triggers send (prisma/migrations/*_live_events, *_patient_check_ins). */
export const LIVE_EVENT_KINDS = [
  "dose-event", "vitals", "pain", "side-effect", "addendum", "flag", "review", "session", "series", "device-vitals",
  "check-in", "check-in-link",
] as const;
export type LiveEventKind = (typeof LIVE_EVENT_KINDS)[number];

/** What a browser receives: no clinic id (the stream is already the actor's clinic). */
export interface LiveEvent {
  kind: LiveEventKind;
  sessionId: string | null;
  seriesId: string | null;
  patientId: string | null;
}

/** What the database sends: the event and the clinic it belongs to. */
export interface ClinicLiveEvent extends LiveEvent {
  clinicId: string;
}

/** Ids are cuids (and test ids): letters, digits, '-' and '_'. Anything else is not ours. */
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const KINDS = new Set<string>(LIVE_EVENT_KINDS);

function idOrNull(v: unknown): string | null | undefined {
  if (v === null || v === undefined) return null;
  return typeof v === "string" && ID.test(v) ? v : undefined;
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Reads a NOTIFY payload. Anything malformed, of an unknown kind, or without a clinic is
 * null: an event that cannot be scoped to a clinic is never delivered to anyone.
 */
export function parseClinicLiveEvent(text: string): ClinicLiveEvent | null {
  const o = parseObject(text);
  if (!o || typeof o.kind !== "string" || !KINDS.has(o.kind)) return null;
  const clinicId = idOrNull(o.clinicId);
  const sessionId = idOrNull(o.sessionId);
  const seriesId = idOrNull(o.seriesId);
  const patientId = idOrNull(o.patientId);
  if (!clinicId || sessionId === undefined || seriesId === undefined || patientId === undefined) return null;
  return { kind: o.kind as LiveEventKind, clinicId, sessionId, seriesId, patientId };
}

/** Reads the data line of a `change` event in the browser (the same shape, no clinic). */
export function parseLiveEvent(text: string): LiveEvent | null {
  const o = parseObject(text);
  if (!o || typeof o.kind !== "string" || !KINDS.has(o.kind)) return null;
  const sessionId = idOrNull(o.sessionId);
  const seriesId = idOrNull(o.seriesId);
  const patientId = idOrNull(o.patientId);
  if (sessionId === undefined || seriesId === undefined || patientId === undefined) return null;
  return { kind: o.kind as LiveEventKind, sessionId, seriesId, patientId };
}

/** The browser's copy: the clinic id stays on the server. */
export function toBrowserEvent(e: ClinicLiveEvent): LiveEvent {
  return { kind: e.kind, sessionId: e.sessionId, seriesId: e.seriesId, patientId: e.patientId };
}

/** One Server-Sent Events frame (the SSE spec: fields are lines, a blank line ends the event). */
export function sseFrame(f: { event?: string; id?: string; data?: string; retryMs?: number; comment?: string }): string {
  let out = "";
  if (f.comment !== undefined) out += `: ${f.comment.replace(/[\r\n]/g, " ")}\n`;
  if (f.retryMs !== undefined) out += `retry: ${Math.round(f.retryMs)}\n`;
  if (f.event !== undefined) out += `event: ${f.event}\n`;
  if (f.id !== undefined) out += `id: ${f.id}\n`;
  if (f.data !== undefined) for (const line of f.data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/**
 * Runs `work` at most once at a time; a call while one runs is remembered (one trailing run,
 * however many calls came in). For refetch-on-event: ten events in a burst give one refetch
 * now and one after it, never ten, and never a lost last change. The promise a call returns
 * settles when a run that STARTED after that call has finished (a failed run counts as
 * finished: `work` reports its own errors), so a caller can show "updating" until its change
 * is on screen.
 */
export function coalesce(work: () => Promise<unknown> | void): () => Promise<void> {
  let running: Promise<void> | null = null;
  let trailing: Promise<void> | null = null;
  const start = (): Promise<void> => {
    const current: Promise<void> = Promise.resolve()
      .then(work)
      .then(() => undefined, () => undefined)
      .finally(() => { if (running === current) running = null; });
    running = current;
    return current;
  };
  return () => {
    if (!running) return start();
    // one trailing run for every call made while one runs
    trailing ??= running.then(() => { trailing = null; return start(); });
    return trailing;
  };
}
