// Patient check-ins between sessions (docs/clinical-brief.md "Patient-reported follow-up";
// docs/decisions/0020-patient-check-ins.md): when they are expected, when a link expires, and
// the PEG score (Krebs et al., J Gen Intern Med 2009). Calendar days are clinic-local
// "YYYY-MM-DD" strings; nothing here reads a clock or a zone.

import { dateOfDay, dayNumber } from "./series-summary";
import { MS_PER_DAY, roundDivBig } from "./units";
import { SEVERE_SIDE_EFFECT_SEVERITY } from "./side-effects";

/** [default] days a link stays valid after its series ends (clinic setting). */
export const DEFAULT_LINK_DAYS_AFTER_END = 30;
/** [default] days after each session on which a check-in is expected (clinic setting). */
export const DEFAULT_CHECK_IN_DAYS_AFTER_SESSION = [1, 3, 7] as const;
/** [default] a check-in is also expected the day before the next planned session. */
export const DEFAULT_CHECK_IN_DAY_BEFORE_NEXT = true;

/** PEG items and the pain score are NRS 0-10 (Krebs 2009). */
export const CHECK_IN_NRS = { min: 0, max: 10 } as const;
/** Longest free-text note a patient may send. */
export const CHECK_IN_NOTE_MAX_CHARS = 1000;
/** Patient-reported side effects are mild, moderate or severe (0 = not reported at all). */
export const CHECK_IN_SEVERITY = { min: 1, max: 3 } as const;

/**
 * When a newly issued link expires: `daysAfterEnd` days after the series' end, which is its
 * planned last session date, or the day it was closed, or (no plan, still open) today; never
 * earlier than `daysAfterEnd` days from now. Instants in ms; the end is taken at 00:00 UTC of
 * its date plus one day (the whole end day counts).
 */
export function linkExpiresAtMs(input: { plannedEndDate: string | null; closedAtMs: number | null; nowMs: number; daysAfterEnd: number }): number {
  const fromNow = input.nowMs + input.daysAfterEnd * MS_PER_DAY;
  if (input.closedAtMs !== null) return input.closedAtMs + input.daysAfterEnd * MS_PER_DAY;
  if (input.plannedEndDate === null) return fromNow;
  const endOfPlannedMs = (dayNumber(input.plannedEndDate) + 1) * MS_PER_DAY;
  return Math.max(fromNow, endOfPlannedMs + input.daysAfterEnd * MS_PER_DAY);
}

export type LinkState = "USABLE" | "REVOKED" | "EXPIRED";

/**
 * Whether a link may be used at `nowMs`. A series closed after the link was issued shortens
 * it to `daysAfterEnd` days after the close. Callers answer every state but USABLE with one
 * neutral page, so the state never reaches the patient (no token can be probed).
 */
export function linkState(input: { expiresAtMs: number; revokedAtMs: number | null; seriesClosedAtMs: number | null; daysAfterEnd: number; nowMs: number }): LinkState {
  if (input.revokedAtMs !== null && input.revokedAtMs <= input.nowMs) return "REVOKED";
  return input.nowMs < linkEndMs({ ...input, revokedAtMs: null }) ? "USABLE" : "EXPIRED";
}

/**
 * The instant a link stops working: its expiry, its revocation, or `daysAfterEnd` days after
 * its series closed, whichever comes first (the one rule `linkState` and the missed-day
 * windows share).
 */
export function linkEndMs(input: { expiresAtMs: number; revokedAtMs: number | null; seriesClosedAtMs: number | null; daysAfterEnd: number }): number {
  const closedLimitMs = input.seriesClosedAtMs === null ? Infinity : input.seriesClosedAtMs + input.daysAfterEnd * MS_PER_DAY;
  return Math.min(input.expiresAtMs, input.revokedAtMs ?? Infinity, closedLimitMs);
}

/**
 * The calendar days a check-in is expected: `daysAfterSession` after each session's date, and,
 * when `dayBeforeNext`, the day before every session after the first (held ones included: that
 * day stays expected, and missed, after the session it preceded) and before the next planned
 * one. A day-before is skipped when it falls on or before the preceding session's date. A day
 * that is itself a session's date is left out: the patient is in the clinic and the nurse
 * charts the pain score. Sorted, without duplicates.
 */
export function expectedCheckInDays(input: {
  sessionDates: readonly string[];
  nextSessionDate: string | null;
  daysAfterSession: readonly number[];
  dayBeforeNext: boolean;
}): string[] {
  const sessionDays = [...new Set(input.sessionDates.map(dayNumber))].sort((a, b) => a - b);
  const days = new Set<number>();
  for (const d of sessionDays) for (const after of input.daysAfterSession) if (after > 0) days.add(d + after);
  if (input.dayBeforeNext) {
    const following = input.nextSessionDate === null ? sessionDays : [...sessionDays, dayNumber(input.nextSessionDate)];
    for (let i = 1; i < following.length; i++) {
      const before = following[i]! - 1;
      if (before > following[i - 1]!) days.add(before);
    }
  }
  for (const d of sessionDays) days.delete(d);
  return [...days].sort((a, b) => a - b).map(dateOfDay);
}

/** Clinic-local dates, inclusive, on which a check-in link could be used. */
export interface LinkWindow { fromDay: string; untilDay: string }

/**
 * The clinic-local window of one link: from the day it was issued to the day it stopped
 * working (revoked, expired, or cut short by the series' close), both inclusive: a link
 * usable for any part of a day makes a check-in that day possible.
 */
export function linkWindow(input: { issuedDay: string; endDay: string }): LinkWindow {
  return { fromDay: input.issuedDay, untilDay: input.endDay < input.issuedDay ? input.issuedDay : input.endDay };
}

/**
 * Which expected day a check-in sent on `today` answers. On an expected day: that day, on
 * time. Otherwise the latest earlier expected day not yet answered by a check-in on or after
 * it: a late check-in, accepted and dated as sent. Null when nothing is due (an extra
 * check-in, still accepted).
 */
export function dueDayFor(input: { today: string; expectedDays: readonly string[]; checkInDays: readonly string[] }): { dueDay: string | null; isLate: boolean } {
  const today = dayNumber(input.today);
  if (input.expectedDays.some((d) => dayNumber(d) === today)) return { dueDay: input.today, isLate: false };
  const earlier = input.expectedDays.map(dayNumber).filter((d) => d < today).sort((a, b) => b - a);
  const latest = earlier[0];
  if (latest === undefined) return { dueDay: null, isLate: false };
  const answered = input.checkInDays.some((c) => dayNumber(c) >= latest && dayNumber(c) < today);
  return answered ? { dueDay: null, isLate: false } : { dueDay: dateOfDay(latest), isLate: true };
}

/**
 * Expected days before `today` that no check-in answered: none on that day nor later, before
 * the next expected day (a late one answers it). Today itself is not missed yet. Only days
 * inside a link's window count: a patient without a usable link could not check in, so a
 * series with no link, or days before its first link or after its last one ended, show
 * nothing missed (a physician must not read "missed" where the patient was never asked).
 */
export function missedCheckInDays(input: { today: string; expectedDays: readonly string[]; checkInDays: readonly string[]; linkWindows: readonly LinkWindow[] }): string[] {
  const today = dayNumber(input.today);
  const expected = [...new Set(input.expectedDays.map(dayNumber))].sort((a, b) => a - b);
  const checkIns = input.checkInDays.map(dayNumber);
  const windows = input.linkWindows.map((w) => ({ from: dayNumber(w.fromDay), until: dayNumber(w.untilDay) }));
  const missed: string[] = [];
  expected.forEach((day, i) => {
    if (day >= today) return;
    if (!windows.some((w) => w.from <= day && day <= w.until)) return;
    const until = Math.min(expected[i + 1] ?? Infinity, today + 1);
    if (!checkIns.some((c) => c >= day && c < until)) missed.push(dateOfDay(day));
  });
  return missed;
}

/**
 * The schedule in the patient's words for the discharge sheet, from the clinic's settings:
 * "on days 1, 3 and 7 after each treatment and the day before the next one".
 */
export function checkInScheduleWords(input: { daysAfterSession: readonly number[]; dayBeforeNext: boolean }): string {
  const days = [...new Set(input.daysAfterSession.filter((d) => d > 0))].sort((a, b) => a - b);
  const list = days.length <= 1 ? days.join("") : `${days.slice(0, -1).join(", ")} and ${days[days.length - 1]}`;
  const after = days.length === 0 ? "" : `on day${days.length === 1 ? "" : "s"} ${list} after each treatment`;
  const before = input.dayBeforeNext ? "the day before the next one" : "";
  if (after && before) return `${after} and ${before}`;
  if (before) return `on ${before}`;
  return after || "whenever you want to tell us how you are";
}

/**
 * The PEG score: the mean of pain, interference with enjoyment of life and with general
 * activity, each 0-10 (Krebs 2009), to one decimal, half away from zero (sum × 10 / 3 in
 * integers, so 7 + 7 + 8 = 22 gives 7.3, never 7.333… drift).
 */
export function pegScore(items: { painNrs: number; enjoymentNrs: number; activityNrs: number }): number {
  const sum = items.painNrs + items.enjoymentNrs + items.activityNrs;
  return Number(roundDivBig(BigInt(sum * 10), 3n)) / 10;
}

/** A patient report is severe when any side effect is at or above the severe grade (3). */
export function hasSevereSideEffect(sideEffects: readonly { severity: number }[]): boolean {
  return sideEffects.some((s) => s.severity >= SEVERE_SIDE_EFFECT_SEVERITY);
}
