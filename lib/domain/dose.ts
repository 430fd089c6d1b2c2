// Dose events and the integral of rate over time (docs/clinical-brief.md "Words": "Total delivered dose = integral
// of rate over time (+ boluses), in mg and mg/kg"). All quantities are integers: rates in
// µg/kg/h, boluses in µg, weight in g, times in epoch ms. The products rate × weight × ms
// exceed 2^53 within a multi-day CRPS infusion (0.7 mg/kg/h × 150 kg × 5 days =
// 700 × 150000 × 432000000 ≈ 4.5e16), so they are BigInt and rounded once, at the end.

import { MS_PER_HOUR, roundDivBig } from "./units";

export type DoseEventType = "START" | "RATE_CHANGE" | "BOLUS" | "PAUSE" | "RESUME" | "STOP";

export const DOSE_EVENT_TYPES: readonly DoseEventType[] = [
  "START",
  "RATE_CHANGE",
  "BOLUS",
  "PAUSE",
  "RESUME",
  "STOP",
];

export interface DoseEventPoint {
  type: DoseEventType;
  /** epoch ms */
  atMs: number;
  /** START and RATE_CHANGE: the new rate, µg/kg/h */
  rateUgPerKgPerH?: number | null;
  /** BOLUS: the amount, µg */
  bolusUg?: number | null;
}

export type InfusionState = "NOT_STARTED" | "RUNNING" | "PAUSED" | "STOPPED";

export interface RateSegment {
  fromMs: number;
  toMs: number;
  rateUgPerKgPerH: number;
}

export interface DoseIntegration {
  totalUg: number;
  totalUgPerKg: number;
  infusionUg: number;
  bolusUg: number;
  peakRateUgPerKgPerH: number;
  /** time-weighted over running (unpaused) time, 0 if none */
  meanRateUgPerKgPerH: number;
  runningMs: number;
  firstStartMs: number | null;
  stopMs: number | null;
  /** 0 if paused/stopped/not started */
  currentRateUgPerKgPerH: number;
  state: InfusionState;
  /** running segments only */
  segments: RateSegment[];
}

/** Where an infusion stands after replaying events: the state machine shared by validate and integrate. */
export interface ReplayState {
  state: InfusionState;
  /** the last rate set by START or RATE_CHANGE (a RATE_CHANGE while paused applies on RESUME) */
  rateUgPerKgPerH: number;
}

const INITIAL_STATE: ReplayState = { state: "NOT_STARTED", rateUgPerKgPerH: 0 };
export const INITIAL_INFUSION_STATE: Readonly<ReplayState> = Object.freeze({ ...INITIAL_STATE });

/**
 * Returns why `event` cannot follow `current`, or null and the state after it. The single
 * definition of what a dose sequence may be; integrateDose skips what this refuses.
 */
export function applyEvent(
  current: ReplayState,
  event: DoseEventPoint,
): { error: string; next: null } | { error: null; next: ReplayState } {
  const fail = (error: string) => ({ error, next: null }) as const;
  if (!Number.isFinite(event.atMs)) return fail("The event time is missing or not a valid time.");
  if (current.state === "STOPPED") {
    return fail("The infusion has been stopped; nothing can be charted after the stop.");
  }
  const rate = event.rateUgPerKgPerH;
  switch (event.type) {
    case "START": {
      if (current.state !== "NOT_STARTED") return fail("The infusion has already been started.");
      if (rate === null || rate === undefined || !Number.isSafeInteger(rate)) {
        return fail("A start needs a rate.");
      }
      if (rate < 0) return fail("A rate cannot be negative.");
      if (rate === 0) {
        return fail("A start needs a rate above 0 mg/kg/h; to hold the infusion, do not start it yet.");
      }
      return { error: null, next: { state: "RUNNING", rateUgPerKgPerH: rate } };
    }
    case "RATE_CHANGE": {
      if (current.state === "NOT_STARTED") return fail("Start the infusion before changing its rate.");
      if (rate === null || rate === undefined || !Number.isSafeInteger(rate)) {
        return fail("A rate change needs a rate.");
      }
      if (rate < 0) return fail("A rate cannot be negative.");
      // Running always means a rate above zero, so "running time" and the mean rate stay honest.
      if (rate === 0) return fail("To stop delivery for a while, chart a pause instead of a rate of 0.");
      return { error: null, next: { state: current.state, rateUgPerKgPerH: rate } };
    }
    case "BOLUS": {
      // A bolus before the start is a loading dose; during a pause it is still a dose given.
      const bolus = event.bolusUg;
      if (bolus === null || bolus === undefined || !Number.isSafeInteger(bolus)) {
        return fail("A bolus needs an amount.");
      }
      if (bolus <= 0) return fail("A bolus amount must be above 0 mg.");
      return { error: null, next: current };
    }
    case "PAUSE": {
      if (current.state !== "RUNNING") return fail("Only a running infusion can be paused.");
      return { error: null, next: { ...current, state: "PAUSED" } };
    }
    case "RESUME": {
      if (current.state !== "PAUSED") return fail("Only a paused infusion can be resumed.");
      return { error: null, next: { ...current, state: "RUNNING" } };
    }
    case "STOP": {
      if (current.state === "NOT_STARTED") return fail("The infusion has not been started.");
      return { error: null, next: { ...current, state: "STOPPED" } };
    }
    default: {
      const unknownType: never = event.type;
      return fail(`Unknown dose event type ${String(unknownType)}.`);
    }
  }
}

/** Sorted by atMs; ties keep their input order (Array.prototype.sort is stable). */
export function sortDoseEvents<T extends DoseEventPoint>(events: readonly T[]): T[] {
  return [...events].sort((a, b) => a.atMs - b.atMs);
}

/**
 * Returns a message when `next` is impossible given `events` (already charted), else null.
 * `next` is placed among the events by its time (after any at the same ms), so a late
 * entry is checked against the state at its own time, and refused if it would make a
 * later charted event impossible (e.g. a STOP before a charted rate change).
 * Rules: nothing after STOP; START once, with a rate above 0; RATE_CHANGE only after
 * START, with a rate above 0 (use PAUSE for 0); PAUSE only while running; RESUME only
 * while paused; BOLUS any time before STOP (before START it is a loading dose) with an
 * amount above 0. Prior events that were themselves impossible are skipped, as
 * integrateDose does.
 */
export function validateDoseSequence(events: DoseEventPoint[], next: DoseEventPoint): string | null {
  const sorted = sortDoseEvents(events.filter((event) => event.atMs <= next.atMs));
  const later = sortDoseEvents(events.filter((event) => event.atMs > next.atMs));
  let current = INITIAL_STATE;
  for (const event of sorted) {
    const step = applyEvent(current, event);
    if (step.next) current = step.next;
  }
  const own = applyEvent(current, next);
  if (own.error !== null) return own.error;

  // Replay what was charted after `next` with and without it: a later event that was
  // valid and no longer is means `next` contradicts the chart.
  let withNext: ReplayState = own.next;
  let withoutNext: ReplayState = current;
  for (const event of later) {
    const before = applyEvent(withoutNext, event);
    const after = applyEvent(withNext, event);
    if (before.error === null && after.error !== null) {
      return `This would make the later ${event.type.replace("_", " ").toLowerCase()} impossible: ${after.error}`;
    }
    if (before.next) withoutNext = before.next;
    if (after.next) withNext = after.next;
  }
  return null;
}

/**
 * Integrates charted dose events up to `untilMs` (inclusive: an event at exactly untilMs
 * counts). Infusion µg = Σ rate (µg/kg/h) × weight (g) × duration (ms) / (1000 g/kg ×
 * 3 600 000 ms/h), summed exactly in BigInt and rounded half up once. Boluses are whole µg.
 * Events validateDoseSequence would refuse are skipped. totalUgPerKg is rounded once from the
 * exact sum (Σ rate × ms / 3 600 000 + bolus µg × 1000 / weightG), not from the rounded µg
 * total, so a flag's "above 1.000 mg/kg" and the displayed total are the same integer.
 * `weightG` is the session's recorded weight (docs/clinical-brief.md: never a later edit of the patient).
 */
export function integrateDose(events: DoseEventPoint[], weightG: number, untilMs: number): DoseIntegration {
  if (!Number.isSafeInteger(weightG) || weightG <= 0) {
    throw new RangeError(`weightG must be a positive integer, got ${String(weightG)}`);
  }
  const weight = BigInt(weightG);
  let current = INITIAL_STATE;
  let runningSinceMs: number | null = null;
  let firstStartMs: number | null = null;
  let stopMs: number | null = null;
  let bolusUg = 0;
  let rateWeightMs = 0n; // Σ rate × weightG × ms
  let rateMs = 0n; // Σ rate × ms, for the time-weighted mean
  let runningMs = 0;
  let peakRateUgPerKgPerH = 0;
  const segments: RateSegment[] = [];

  const closeSegment = (toMs: number) => {
    if (runningSinceMs === null) return;
    const durationMs = toMs - runningSinceMs;
    if (durationMs > 0) {
      const rate = current.rateUgPerKgPerH;
      const previous = segments[segments.length - 1];
      if (previous && previous.toMs === runningSinceMs && previous.rateUgPerKgPerH === rate) {
        previous.toMs = toMs; // a rate "change" to the same rate is one segment on the chart
      } else {
        segments.push({ fromMs: runningSinceMs, toMs, rateUgPerKgPerH: rate });
      }
      rateWeightMs += BigInt(rate) * weight * BigInt(durationMs);
      rateMs += BigInt(rate) * BigInt(durationMs);
      runningMs += durationMs;
      peakRateUgPerKgPerH = Math.max(peakRateUgPerKgPerH, rate);
    }
    runningSinceMs = null;
  };

  for (const event of sortDoseEvents(events)) {
    if (event.atMs > untilMs) break;
    const step = applyEvent(current, event);
    if (step.next === null) continue;
    if (event.type === "BOLUS") {
      // A bolus is instantaneous and leaves the running rate alone: no new segment.
      bolusUg += event.bolusUg ?? 0;
      continue;
    }
    if (current.state === "RUNNING") closeSegment(event.atMs);
    current = step.next;
    if (event.type === "START") firstStartMs = event.atMs;
    if (event.type === "STOP") stopMs = event.atMs;
    if (current.state === "RUNNING") runningSinceMs = event.atMs;
  }
  if (current.state === "RUNNING") {
    closeSegment(untilMs);
    // The rate running now is part of the peak even if it has run for 0 ms.
    peakRateUgPerKgPerH = Math.max(peakRateUgPerKgPerH, current.rateUgPerKgPerH);
  }

  const infusionUg = Number(roundDivBig(rateWeightMs, 1000n * BigInt(MS_PER_HOUR)));
  const totalUg = infusionUg + bolusUg;
  return {
    totalUg,
    // µg/kg = (Σ rate × ms × weightG + bolusUg × 1000 × 3 600 000) / (3 600 000 × weightG)
    totalUgPerKg: Number(
      roundDivBig(rateMs * weight + BigInt(bolusUg) * 1000n * BigInt(MS_PER_HOUR), BigInt(MS_PER_HOUR) * weight),
    ),
    infusionUg,
    bolusUg,
    peakRateUgPerKgPerH,
    meanRateUgPerKgPerH: runningMs === 0 ? 0 : Number(roundDivBig(rateMs, BigInt(runningMs))),
    runningMs,
    firstStartMs,
    stopMs,
    currentRateUgPerKgPerH: current.state === "RUNNING" ? current.rateUgPerKgPerH : 0,
    state: current.state,
    segments,
  };
}

/**
 * The last rate set (by START or RATE_CHANGE) at or before `atMs`, whether or not the
 * infusion is running; null before the start. Used for titration steps.
 */
export function lastSetRateUgPerKgPerH(events: DoseEventPoint[], atMs: number): number | null {
  let current = INITIAL_STATE;
  for (const event of sortDoseEvents(events)) {
    if (event.atMs > atMs) break;
    const step = applyEvent(current, event);
    if (step.next) current = step.next;
  }
  return current.state === "NOT_STARTED" ? null : current.rateUgPerKgPerH;
}
