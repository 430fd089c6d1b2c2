// The chair board: one tile per chair of the infusion suite, computed from the same rules
// as the session chart (docs/decisions/0013-chairs-and-the-board.md). Nothing here is a rule
// of its own: the dose is integrateDose (dose.ts), the vitals due time is vitalsSchedule
// (vitals-schedule.ts), the pump setting is pumpRounding (guards.ts), the rows in force are
// effectiveRows (charting.ts), the flags are the ones the engine stored. This module only
// gathers them into a tile, and says which tile is most urgent.

import { effectiveRows, type Correctable } from "./charting";
import { integrateDose, lastSetRateUgPerKgPerH, sortDoseEvents, type DoseEventPoint, type InfusionState } from "./dose";
import type { FlagSeverity } from "./flags";
import { pumpRounding } from "./guards";
import { safetySettingsOf, type ProtocolLimits } from "./protocol";
import { vitalsSchedule } from "./vitals-schedule";

/**
 * What a chair's tile shows as its state (docs/clinical-brief.md "Words": a session is open
 * from the opening to the completion; the infusion runs from START to STOP):
 * - FREE: an active chair without a running session;
 * - NOT_STARTED: a session is open (baseline vitals, pre-infusion pain) but nothing was started;
 * - RUNNING / PAUSED: the infusion's state;
 * - COMPLETING: the infusion was stopped but the session is still open (post-infusion
 *   observation until the nurse completes it).
 */
export type TileState = "FREE" | "NOT_STARTED" | "RUNNING" | "PAUSED" | "COMPLETING";

export const TILE_STATE_TEXT: Record<TileState, string> = {
  FREE: "Free",
  NOT_STARTED: "Open, infusion not started",
  RUNNING: "Running",
  PAUSED: "Paused",
  COMPLETING: "Infusion stopped, observing",
};

const TILE_STATE_OF: Record<InfusionState, Exclude<TileState, "FREE">> = {
  NOT_STARTED: "NOT_STARTED",
  RUNNING: "RUNNING",
  PAUSED: "PAUSED",
  STOPPED: "COMPLETING",
};

type Timed = Correctable & { id: string; atMs: number; enteredAtMs: number };

export type BoardDoseRow = Timed & DoseEventPoint;
export type BoardVitalsRow = Timed & {
  systolicMmHg: number; diastolicMmHg: number; heartRatePerMin: number; spo2Pct: number; respRatePerMin: number;
  sedationRass: number | null;
};
export type BoardPainRow = Timed & { score: number; scale: "NRS" | "VAS"; phase: string };
export interface BoardFlag {
  id: string;
  code: string;
  severity: FlagSeverity;
  message: string;
  valueText: string;
  limitText: string;
  sourceType: string | null;
  sourceId: string | null;
  status: "OPEN" | "ACKNOWLEDGED" | "RESOLVED";
  raisedAtMs: number;
}

/** One running (IN_PROGRESS) session as the board reads it. */
export interface BoardSessionInput {
  weightG: number;
  concentrationUgPerMl: number;
  limits: ProtocolLimits;
  doseEvents: readonly BoardDoseRow[];
  vitals: readonly BoardVitalsRow[];
  pain: readonly BoardPainRow[];
  flags: readonly BoardFlag[];
}

/** What a tile shows that only the rows decide (it changes when something is charted). */
export interface TileClinical {
  /** the dose events in force, clinical order: enough to integrate the dose at any instant */
  dosePoints: DoseEventPoint[];
  weightG: number;
  concentrationUgPerMl: number;
  pumpSettings: { pumpStepCentiMlPerH: number; pumpRoundingTolerancePct: number };
  /** the protocol's cumulative limits per session (null: none documented) */
  maxCumulativeUgPerKg: number | null;
  maxCumulativeUg: number | null;
  /** the due time of the next vitals set (vitalsSchedule); null before START and after STOP */
  nextVitalsDueAtMs: number | null;
  lastVitals: (Omit<BoardVitalsRow, "correctsId" | "isRetraction" | "enteredAtMs"> & { flags: BoardFlag[] }) | null;
  lastPain: { atMs: number; score: number; scale: "NRS" | "VAS"; phase: string } | null;
  /** unacknowledged, unresolved flags: HARD first, then the oldest first */
  openFlags: BoardFlag[];
}

/** What a tile shows at an instant (recomputed every second on the board). */
export interface TileLive {
  state: Exclude<TileState, "FREE">;
  /** since the first START, to the STOP when stopped; null before START */
  elapsedMs: number | null;
  /** since the STOP (post-infusion observation); null unless stopped */
  sinceStopMs: number | null;
  /** the rate running now, µg/kg/h; null unless running */
  rateUgPerKgPerH: number | null;
  /** the rate set before a pause, µg/kg/h (resumes at it); null unless paused */
  pausedAtRateUgPerKgPerH: number | null;
  /** the pump's setting for the running rate at its step, mL/h text (pumpRounding); null unless running */
  pumpMlPerHText: string | null;
  cumulativeUg: number;
  cumulativeUgPerKg: number;
  /** cumulative µg/kg as a share of the protocol's µg/kg limit, whole percent (rounded down); null without one */
  cumulativePctOfLimit: number | null;
  nextVitalsDueAtMs: number | null;
  /** positive: time left; negative: overdue by; null when nothing is due */
  msUntilVitalsDue: number | null;
  /** strictly after the due time, as vitalsSchedule says */
  isVitalsOverdue: boolean;
}

const byHardThenOldest = (a: BoardFlag, b: BoardFlag) =>
  (a.severity === b.severity ? 0 : a.severity === "HARD" ? -1 : 1) || a.raisedAtMs - b.raisedAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

const latest = <T extends Timed>(rows: readonly T[]): T | null =>
  rows.reduce<T | null>((best, r) => (best === null || r.atMs > best.atMs || (r.atMs === best.atMs && (r.enteredAtMs > best.enteredAtMs || (r.enteredAtMs === best.enteredAtMs && r.id > best.id))) ? r : best), null);

/**
 * The clinical part of a running session's tile. Corrections apply (rows in force only);
 * the last vitals are the latest by clinical time, with the flags the engine stored on that
 * row (not resolved); the last pain score likewise.
 */
export function tileClinical(input: BoardSessionInput): TileClinical {
  const dose = effectiveRows(input.doseEvents);
  const vitals = effectiveRows(input.vitals);
  const pain = effectiveRows(input.pain);
  const settings = safetySettingsOf(input.limits);
  const schedule = vitalsSchedule({
    limits: { vitalsIntervalMin: input.limits.vitalsIntervalMin, vitalsAfterIncreaseMin: settings.vitalsAfterIncreaseMin },
    doseEvents: dose,
    vitals,
    // the session is in progress: nothing completed it
    completedAtMs: null,
    // the due time does not depend on the instant; only "overdue" does (tileLive)
    nowMs: 0,
  });
  const last = latest(vitals);
  const lastPainRow = latest(pain);
  return {
    dosePoints: sortDoseEvents(dose).map((e) => ({ type: e.type, atMs: e.atMs, rateUgPerKgPerH: e.rateUgPerKgPerH ?? null, bolusUg: e.bolusUg ?? null })),
    weightG: input.weightG,
    concentrationUgPerMl: input.concentrationUgPerMl,
    pumpSettings: { pumpStepCentiMlPerH: settings.pumpStepCentiMlPerH, pumpRoundingTolerancePct: settings.pumpRoundingTolerancePct },
    maxCumulativeUgPerKg: input.limits.maxCumulativeUgPerKg,
    maxCumulativeUg: input.limits.maxCumulativeUg,
    nextVitalsDueAtMs: schedule.nextDueAtMs,
    lastVitals: last === null ? null : {
      id: last.id, atMs: last.atMs,
      systolicMmHg: last.systolicMmHg, diastolicMmHg: last.diastolicMmHg, heartRatePerMin: last.heartRatePerMin,
      spo2Pct: last.spo2Pct, respRatePerMin: last.respRatePerMin, sedationRass: last.sedationRass,
      flags: input.flags.filter((f) => f.sourceType === "VitalSigns" && f.sourceId === last.id && f.status !== "RESOLVED").sort(byHardThenOldest),
    },
    lastPain: lastPainRow === null ? null : { atMs: lastPainRow.atMs, score: lastPainRow.score, scale: lastPainRow.scale, phase: lastPainRow.phase },
    openFlags: input.flags.filter((f) => f.status === "OPEN").sort(byHardThenOldest),
  };
}

/**
 * The tile at `nowMs`: the dose integrated to now (integrateDose, as the chart's header),
 * the pump setting of the running rate, and the vitals countdown. Overdue is strictly after
 * the due time, exactly as vitalsSchedule decides it (at the due time itself it is "due now").
 */
export function tileLive(c: TileClinical, nowMs: number): TileLive {
  const dose = integrateDose(c.dosePoints, c.weightG, nowMs);
  const running = dose.state === "RUNNING" ? dose.currentRateUgPerKgPerH : null;
  const msUntilVitalsDue = c.nextVitalsDueAtMs === null ? null : c.nextVitalsDueAtMs - nowMs;
  return {
    state: TILE_STATE_OF[dose.state],
    elapsedMs: dose.firstStartMs === null ? null : (dose.stopMs ?? nowMs) - dose.firstStartMs,
    sinceStopMs: dose.stopMs === null ? null : nowMs - dose.stopMs,
    rateUgPerKgPerH: running,
    pausedAtRateUgPerKgPerH: dose.state === "PAUSED" ? lastSetRateUgPerKgPerH(c.dosePoints, nowMs) : null,
    pumpMlPerHText: running !== null && running > 0
      ? pumpRounding({ rateUgPerKgPerH: running, weightG: c.weightG, concentrationUgPerMl: c.concentrationUgPerMl, settings: c.pumpSettings }).pumpMlPerHText
      : null,
    cumulativeUg: dose.totalUg,
    cumulativeUgPerKg: dose.totalUgPerKg,
    cumulativePctOfLimit: c.maxCumulativeUgPerKg === null || c.maxCumulativeUgPerKg <= 0 ? null : Math.floor((dose.totalUgPerKg * 100) / c.maxCumulativeUgPerKg),
    nextVitalsDueAtMs: c.nextVitalsDueAtMs,
    msUntilVitalsDue,
    isVitalsOverdue: msUntilVitalsDue !== null && msUntilVitalsDue < 0,
  };
}

/**
 * The tiles (by key) whose vitals became overdue since the board last looked: `previous` holds
 * the keys overdue then, null on the first look (nothing is announced for what was already
 * overdue when the board opened, as on the chart's countdown). The board's polite live region
 * speaks these once, when a chair changes stage, never on each second's tick
 * (docs/decisions/0016-accessibility.md).
 */
export function newlyOverdueKeys(previous: ReadonlySet<string> | null, overdueNow: readonly string[]): string[] {
  if (previous === null) return [];
  return overdueNow.filter((key) => !previous.has(key));
}

/** Vitals due within this long are "due soon" on the board, as on the chart's countdown. */
export const VITALS_DUE_SOON_MS = 3 * 60_000;

export type BoardSort = "urgency" | "chair";

/** What the sort needs of a tile: its chair's place and, for an occupied chair, its values. */
export interface SortableTile {
  /** the chair's sortOrder, then its name; null for a running session without a chair */
  chair: { sortOrder: number; name: string } | null;
  /** null for a free chair */
  clinical: Pick<TileClinical, "openFlags" | "nextVitalsDueAtMs"> | null;
}

/**
 * Urgency rank at `nowMs`, lower first:
 *   0 vitals overdue or an open HARD flag (the supervisor acts now),
 *   1 an open SOFT flag,
 *   2 vitals due within VITALS_DUE_SOON_MS (including exactly at the due time),
 *   3 any other open session,
 *   4 a free chair.
 */
export function urgencyRank(t: SortableTile, nowMs: number): number {
  if (t.clinical === null) return 4;
  const due = t.clinical.nextVitalsDueAtMs;
  if ((due !== null && nowMs > due) || t.clinical.openFlags.some((f) => f.severity === "HARD")) return 0;
  if (t.clinical.openFlags.length > 0) return 1;
  if (due !== null && due - nowMs <= VITALS_DUE_SOON_MS) return 2;
  return 3;
}

/** By chair: the chair order (sortOrder, then name); sessions without a chair first, so none is missed. */
export function compareByChair(a: SortableTile, b: SortableTile): number {
  if (a.chair === null || b.chair === null) return a.chair === b.chair ? 0 : a.chair === null ? -1 : 1;
  return a.chair.sortOrder - b.chair.sortOrder || (a.chair.name < b.chair.name ? -1 : a.chair.name > b.chair.name ? 1 : 0);
}

/**
 * By urgency: the rank; within rank 0, more urgent conditions (each open HARD flag, and
 * overdue vitals) first; then the earliest vitals due time (nothing due last); then the chair.
 */
export function compareByUrgency(a: SortableTile, b: SortableTile, nowMs: number): number {
  const rank = urgencyRank(a, nowMs) - urgencyRank(b, nowMs);
  if (rank !== 0) return rank;
  const weight = (t: SortableTile) =>
    t.clinical === null ? 0 : t.clinical.openFlags.filter((f) => f.severity === "HARD").length + (t.clinical.nextVitalsDueAtMs !== null && nowMs > t.clinical.nextVitalsDueAtMs ? 1 : 0);
  const conditions = weight(b) - weight(a);
  if (conditions !== 0) return conditions;
  const dueA = a.clinical?.nextVitalsDueAtMs ?? null;
  const dueB = b.clinical?.nextVitalsDueAtMs ?? null;
  if (dueA !== dueB) return dueA === null ? 1 : dueB === null ? -1 : dueA - dueB;
  return compareByChair(a, b);
}

/** The tiles in the chosen order (a new array). */
export function sortTiles<T extends SortableTile>(tiles: readonly T[], sort: BoardSort, nowMs: number): T[] {
  return [...tiles].sort((a, b) => (sort === "chair" ? compareByChair(a, b) : compareByUrgency(a, b, nowMs)));
}
