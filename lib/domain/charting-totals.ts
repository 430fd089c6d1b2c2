import { integrateDose, type DoseEventPoint } from "./dose";

/**
 * Computed totals of a session from its dose events in force (corrections applied), for the
 * session screen and its API (docs/clinical-brief.md "What a session summary holds": total
 * dose in mg and mg/kg, peak and mean rate, duration). Instants in ms since the epoch;
 * `nowMs` is where a running infusion is integrated to. The duration runs from the first
 * START (or the opening, before one) to the STOP (or the completion, or now), whole minutes.
 */
export function sessionTotals(events: DoseEventPoint[], weightG: number, nowMs: number, openedAtMs: number, completedAtMs: number | null) {
  const dose = integrateDose(events, weightG, nowMs);
  const startMs = dose.firstStartMs ?? openedAtMs;
  const endMs = dose.stopMs ?? completedAtMs ?? nowMs;
  return {
    totalUg: dose.totalUg,
    totalUgPerKg: dose.totalUgPerKg,
    totalMg: dose.totalUg / 1000,
    totalMgPerKg: dose.totalUgPerKg / 1000,
    peakRateUgPerKgPerH: dose.peakRateUgPerKgPerH,
    peakRateMgPerKgPerH: dose.peakRateUgPerKgPerH / 1000,
    meanRateUgPerKgPerH: dose.meanRateUgPerKgPerH,
    currentRateUgPerKgPerH: dose.currentRateUgPerKgPerH,
    infusionState: dose.state,
    durationMin: dose.firstStartMs === null ? 0 : Math.round((endMs - startMs) / 60_000),
    runningMin: Math.round(dose.runningMs / 60_000),
  };
}
export type SessionTotals = ReturnType<typeof sessionTotals>;
