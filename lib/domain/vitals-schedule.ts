// When vitals are due, as a pure function of the timeline and the clock, so the live header
// in the browser, the flag engine and the server's scheduler compute the same due time
// (docs/clinical-brief.md "What is monitored": vitals at least every 15 minutes [default],
// more often after a rate change).

import { applyEvent, INITIAL_INFUSION_STATE, type DoseEventPoint, type ReplayState } from "./dose";
import type { SafetySettings, VitalsThresholds } from "./protocol";
import { MS_PER_MINUTE } from "./units";

/** What opened a monitoring requirement: the start, a vitals set, or a rate increase. */
export type VitalsGapOpener = "START" | "VITALS" | "RATE_INCREASE";

export interface VitalsGap {
  /** when the requirement began (START, the previous set, or the rate increase), epoch ms */
  fromMs: number;
  dueAtMs: number;
  openedBy: VitalsGapOpener;
  /** the row that opened it (dose event or vitals set) */
  sourceId: string;
  /** when the next set (or the STOP, or completion) closed it; null while open */
  closedAtMs: number | null;
  /** what closed it */
  closedBy: "VITALS" | "STOP" | "COMPLETION" | null;
}

export interface VitalsSchedule {
  /** the due time of the open requirement; null before START and after STOP/completion */
  nextDueAtMs: number | null;
  /** nowMs strictly after nextDueAtMs */
  isOverdue: boolean;
  /** every gap that passed its due time: closed late, or open past due at nowMs */
  overdueGaps: VitalsGap[];
}

interface TimedRow {
  id: string;
  atMs: number;
  enteredAtMs: number;
}

/** Clinical time, then the time it was charted, then id: charting order never matters. */
export function byClinicalTime(a: TimedRow, b: TimedRow): number {
  return a.atMs - b.atMs || a.enteredAtMs - b.enteredAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * The vitals schedule of a session.
 * - The first set is due one vitalsIntervalMin after START (not after the chart opened: the
 *   drug is what is monitored). Sets charted before START are baselines and close nothing.
 * - Each set at or after START closes the open requirement and opens the next, due one
 *   interval later.
 * - A rate increase (a START/RATE_CHANGE above the last set rate) brings the due time
 *   forward to vitalsAfterIncreaseMin after it, when that is earlier.
 * - STOP (or the completion, when nothing was stopped) closes the requirement: the gap before
 *   STOP is a gap like any other. Nothing is due afterwards.
 * - A gap is overdue when it was closed, or is still open at nowMs, strictly after its due time.
 * Rows are sorted here by clinical time (ties: enteredAt, then id); dose events the
 * infusion state machine refuses are skipped, as integrateDose does.
 */
export function vitalsSchedule(input: {
  limits: Pick<VitalsThresholds, "vitalsIntervalMin"> & Pick<SafetySettings, "vitalsAfterIncreaseMin">;
  doseEvents: readonly (DoseEventPoint & TimedRow)[];
  vitals: readonly TimedRow[];
  /** completion time when the session was completed without a STOP */
  completedAtMs: number | null;
  nowMs: number;
}): VitalsSchedule {
  const intervalMs = input.limits.vitalsIntervalMin * MS_PER_MINUTE;
  const afterIncreaseMs = input.limits.vitalsAfterIncreaseMin * MS_PER_MINUTE;
  type Item = { kind: "DOSE"; row: DoseEventPoint & TimedRow } | { kind: "VITALS"; row: TimedRow };
  const items: Item[] = [
    ...input.doseEvents.map((row): Item => ({ kind: "DOSE", row })),
    ...input.vitals.map((row): Item => ({ kind: "VITALS", row })),
  ];
  // At one instant a vitals set is taken before the pump is touched: a set at the STOP's
  // time closes the gap as a set, not as the stop.
  items.sort((a, b) => a.row.atMs - b.row.atMs || (a.kind === b.kind ? byClinicalTime(a.row, b.row) : a.kind === "VITALS" ? -1 : 1));

  const overdueGaps: VitalsGap[] = [];
  let open: VitalsGap | null = null;
  let infusion: ReplayState = INITIAL_INFUSION_STATE;
  let ended = false;
  const close = (atMs: number, by: VitalsGap["closedBy"]) => {
    if (open === null) return;
    const closed: VitalsGap = { ...open, closedAtMs: atMs, closedBy: by };
    if (atMs > closed.dueAtMs) overdueGaps.push(closed);
    open = null;
  };

  for (const item of items) {
    if (ended) break;
    if (item.kind === "VITALS") {
      if (open === null) continue; // before START: a baseline
      close(item.row.atMs, "VITALS");
      open = { fromMs: item.row.atMs, dueAtMs: item.row.atMs + intervalMs, openedBy: "VITALS", sourceId: item.row.id, closedAtMs: null, closedBy: null };
      continue;
    }
    const event = item.row;
    const step = applyEvent(infusion, event);
    if (step.next === null) continue;
    const previous = infusion;
    infusion = step.next;
    if (event.type === "START") {
      open = { fromMs: event.atMs, dueAtMs: event.atMs + intervalMs, openedBy: "START", sourceId: event.id, closedAtMs: null, closedBy: null };
    } else if (event.type === "RATE_CHANGE" && infusion.rateUgPerKgPerH > previous.rateUgPerKgPerH && open !== null) {
      const dueAtMs = event.atMs + afterIncreaseMs;
      const current: VitalsGap = open;
      // Only an earlier due time replaces the requirement; the one replaced was not yet due
      // (event.atMs < dueAtMs < current.dueAtMs), so no overdue gap is lost.
      if (dueAtMs < current.dueAtMs) {
        open = { fromMs: event.atMs, dueAtMs, openedBy: "RATE_INCREASE", sourceId: event.id, closedAtMs: null, closedBy: null };
      }
    } else if (event.type === "STOP") {
      close(event.atMs, "STOP");
      ended = true;
    }
  }
  if (!ended && open !== null && input.completedAtMs !== null) {
    close(input.completedAtMs, "COMPLETION");
    ended = true;
  }
  const pending: VitalsGap | null = open;
  if (pending !== null && input.nowMs > pending.dueAtMs) overdueGaps.push(pending);
  return {
    nextDueAtMs: pending === null ? null : pending.dueAtMs,
    isOverdue: pending !== null && input.nowMs > pending.dueAtMs,
    overdueGaps,
  };
}
