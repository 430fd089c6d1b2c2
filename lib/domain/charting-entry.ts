// What a charted entry needs before it is accepted: a reason where one is due, a time inside
// the session, an override for a hard limit. The bedside forms run these as the nurse types;
// the server runs them again on submit (docs/decisions/0004-flags-and-charting.md).
import type { FlagDraft } from "./flags";

/**
 * The fewest characters (after trimming) that count as a reason: back-timing, correction,
 * retraction, acknowledgement, override. Two letters ("ok", "na") say nothing a reviewer
 * can use (docs/clinical-brief.md "Safety guards in the style of smart-pump drug libraries").
 */
export const REASON_MIN_CHARS = 3;

/** The hint every reason field shows when the reason is too short. */
export const REASON_LENGTH_HINT = `at least ${REASON_MIN_CHARS} characters`;

/** True when `text`, trimmed, is long enough to be a reason. */
export function hasReason(text: string | null | undefined): boolean {
  return (text ?? "").trim().length >= REASON_MIN_CHARS;
}

/** Charting more than this long after the fact needs a back-timing reason. */
export const BACK_TIME_GRACE_MS = 10 * 60_000;
/** Clock skew tolerated between a bedside device and the server for a time in the future. */
export const FUTURE_SKEW_MS = 2 * 60_000;
/**
 * How long after a completed session ended an entry may still be timed. Observations (vitals
 * after the STOP, a late side effect) are charted on a completed session until it is signed
 * (docs/decisions/0004-flags-and-charting.md); a time beyond a day is a mistyped date.
 */
export const AFTER_END_WINDOW_MS = 24 * 3_600_000;

/** True when an entry at `atMs` is charted later than the grace period allows (strictly more than 10 min). */
export function isBackTimed(nowMs: number, atMs: number): boolean {
  return nowMs - atMs > BACK_TIME_GRACE_MS;
}

/**
 * How long an entry may wait in a bedside device's offline queue and still have its lateness
 * judged at the press (docs/decisions/0017-offline-charting.md). Beyond this the press time
 * is only recorded, and lateness is judged at the server's receipt like any other entry.
 */
export const OFFLINE_PRESS_MAX_AGE_MS = 24 * 3_600_000;

/**
 * The instant an entry's lateness is judged at: the server's receipt, or, for an entry that
 * waited in a device's offline queue (`queuedAtMs`, the device time of the save press), the
 * press, when the press is no older than OFFLINE_PRESS_MAX_AGE_MS. The nurse was asked for
 * a late-charting reason at the press if the press itself was late, so the rule she saw is the
 * rule applied; the time between press and receipt is stored and shown, never hidden
 * (docs/decisions/0017-offline-charting.md).
 */
export function latenessReferenceMs(nowMs: number, queuedAtMs: number | null | undefined): number {
  if (queuedAtMs === null || queuedAtMs === undefined) return nowMs;
  return nowMs - queuedAtMs <= OFFLINE_PRESS_MAX_AGE_MS ? Math.min(queuedAtMs, nowMs) : nowMs;
}

/**
 * True when an entry at `atMs` needs a late-charting reason, judged where the server judges
 * it: at `nowMs`, or at the offline press `queuedAtMs` it carries, while that press is recent
 * enough (`latenessReferenceMs`). The bedside form and `checkChartTime` both ask this, so the
 * form never demands a reason the server would not, nor skips one it would.
 */
export function isBackTimedAt(nowMs: number, atMs: number, queuedAtMs?: number | null): boolean {
  return isBackTimed(latenessReferenceMs(nowMs, queuedAtMs), atMs);
}

/**
 * The offline press an entry charted again from a refused queued entry still carries
 * (docs/decisions/0017-offline-charting.md), all instants in ms: the refused entry's press
 * (`refusedPressMs`) while the clinical time is the one the nurse gave at that press
 * (`refusedAtMs`, to the millisecond); null once she changes the time. The press vouches for
 * when the nurse documented that time, so it alone decides lateness for it (the form asked for
 * a reason at the press if the time was already late then); a new time is a statement made
 * now and is judged like any entry made now.
 */
export function carriedPressMs(input: { atMs: number; refusedAtMs: number; refusedPressMs: number }): number | null {
  return input.atMs === input.refusedAtMs ? input.refusedPressMs : null;
}

/** A refused chart time: the message for the whole form and one for its field. */
export interface ChartTimeError {
  message: string;
  field: "at" | "backTimeReason" | "queuedAt";
  fieldMessage: string;
}

/**
 * Checks the time of a charted entry, all instants in ms since the epoch. It must fall within
 * the session (not before it opened, not beyond the future skew, not more than a day after a
 * finished session ended) and, when back-timed beyond the grace period, carry a reason.
 * A follow-up pain score (days later, by phone: docs/clinical-brief.md "Patient-reported
 * follow-up") is bound only by the first two; a correction keeps the original's time and its
 * correction reason already says why it is late.
 *
 * An entry synced from an offline queue carries `queuedAtMs`, the device time of the press.
 * The press may not be in the future (beyond the skew), before the session opened, or before
 * the entry's own time (beyond the skew: nobody charts what has not happened); lateness is then
 * judged at the press (`latenessReferenceMs`).
 */
export function checkChartTime(input: {
  atMs: number;
  nowMs: number;
  openedAtMs: number;
  completedAtMs: number | null;
  isInProgress: boolean;
  backTimeReason?: string | null;
  isFollowUp?: boolean;
  isCorrection?: boolean;
  queuedAtMs?: number | null;
}): ChartTimeError | null {
  const { atMs, nowMs, openedAtMs, completedAtMs } = input;
  const queuedAtMs = input.queuedAtMs ?? null;
  if (queuedAtMs !== null) {
    if (queuedAtMs > nowMs + FUTURE_SKEW_MS)
      return { message: "The time this entry was saved on the device is in the future.", field: "queuedAt", fieldMessage: "must not be in the future" };
    if (queuedAtMs < openedAtMs)
      return { message: "The time this entry was saved on the device is before this session opened.", field: "queuedAt", fieldMessage: `must be at or after ${new Date(openedAtMs).toISOString()}` };
    if (atMs > queuedAtMs + FUTURE_SKEW_MS)
      return { message: "The time is after this entry was saved on the device.", field: "at", fieldMessage: "must not be after the time it was saved" };
  }
  if (atMs < openedAtMs)
    return { message: "The time is before this session opened.", field: "at", fieldMessage: `must be at or after ${new Date(openedAtMs).toISOString()}` };
  if (atMs > nowMs + FUTURE_SKEW_MS) return { message: "The time is in the future.", field: "at", fieldMessage: "must not be in the future" };
  if (!input.isFollowUp && completedAtMs !== null && !input.isInProgress && atMs > completedAtMs + AFTER_END_WINDOW_MS)
    return { message: "The time is after this session ended.", field: "at", fieldMessage: "must be within the session" };
  if (!input.isFollowUp && !input.isCorrection && isBackTimedAt(nowMs, atMs, queuedAtMs) && !hasReason(input.backTimeReason))
    return {
      message: "This entry is back-timed: give a reason.",
      field: "backTimeReason",
      fieldMessage: `required for entries more than ${BACK_TIME_GRACE_MS / 60_000} minutes in the past`,
    };
  return null;
}

/**
 * HARD flags need a physician's override reason (docs/clinical-brief.md "Safety guards in the
 * style of smart-pump drug libraries"). Returns the hard flags, the trimmed override reason to
 * store (null when none is needed or given) and whether the entry must be refused for want of one.
 */
export function hardLimitOverride(drafts: readonly FlagDraft[], overrideReason: string | null | undefined) {
  const hard = drafts.filter((d) => d.severity === "HARD");
  const reason = overrideReason?.trim() || null;
  return { hard, overrideReason: hard.length > 0 ? reason : null, isMissing: hard.length > 0 && !hasReason(reason) };
}

