import { describe, expect, it } from "vitest";
import { sessionTotals } from "./charting";
import type { DoseEventPoint } from "./dose";

const MIN = 60_000;
const W = 70_000; // 70 kg
const ev = (type: DoseEventPoint["type"], atMin: number, rateUgPerKgPerH: number | null = null, bolusUg: number | null = null): DoseEventPoint =>
  ({ type, atMs: atMin * MIN, rateUgPerKgPerH, bolusUg });

describe("sessionTotals", () => {
  it("a rate change, a bolus and a stop", () => {
    // 0.3 mg/kg/h for 60 min: 300 × 70 × 1 = 21 000 µg; 0.6 mg/kg/h for 30 min: 600 × 70 × 0.5 = 21 000 µg;
    // bolus 7 000 µg. Total 49 000 µg = 49 mg; per kg 49 000 / 70 = 700 µg/kg = 0.7 mg/kg.
    // Mean over running time: (300 × 60 + 600 × 30) / 90 = 400 µg/kg/h. 0 to 90 min.
    const events = [ev("START", 0, 300), ev("BOLUS", 30, null, 7_000), ev("RATE_CHANGE", 60, 600), ev("STOP", 90)];
    expect(sessionTotals(events, W, 200 * MIN, 0, 120 * MIN)).toEqual({
      totalUg: 49_000, totalUgPerKg: 700, totalMg: 49, totalMgPerKg: 0.7,
      peakRateUgPerKgPerH: 600, peakRateMgPerKgPerH: 0.6, meanRateUgPerKgPerH: 400, currentRateUgPerKgPerH: 0,
      infusionState: "STOPPED", durationMin: 90, runningMin: 90,
    });
  });
  it("a pause counts in the duration but not the running time", () => {
    // started at 5 min (opened at 0), paused 20-30, stopped at 75: running 60 min at 300 → 21 000 µg, 300 µg/kg.
    const events = [ev("START", 5, 300), ev("PAUSE", 25), ev("RESUME", 35), ev("STOP", 75)];
    expect(sessionTotals(events, W, 100 * MIN, 0, null)).toMatchObject({
      totalUg: 21_000, totalUgPerKg: 300, meanRateUgPerKgPerH: 300, durationMin: 70, runningMin: 60, infusionState: "STOPPED",
    });
  });
  it("a running infusion is integrated to now", () => {
    // 45 min at 300: 300 × 70 × 0.75 = 15 750 µg; 225 µg/kg.
    expect(sessionTotals([ev("START", 0, 300)], W, 45 * MIN, 0, null)).toMatchObject({
      totalUg: 15_750, totalUgPerKg: 225, totalMg: 15.75, currentRateUgPerKgPerH: 300, infusionState: "RUNNING", durationMin: 45, runningMin: 45,
    });
  });
  it("nothing charted: zero totals and no duration", () => {
    expect(sessionTotals([], W, 45 * MIN, 0, null)).toEqual({
      totalUg: 0, totalUgPerKg: 0, totalMg: 0, totalMgPerKg: 0, peakRateUgPerKgPerH: 0, peakRateMgPerKgPerH: 0,
      meanRateUgPerKgPerH: 0, currentRateUgPerKgPerH: 0, infusionState: "NOT_STARTED", durationMin: 0, runningMin: 0,
    });
  });
  it("the duration rounds to whole minutes: 89 min 30 s is 90, 1 ms less is 89", () => {
    const stopAt = (ms: number) => [ev("START", 0, 300), { type: "STOP" as const, atMs: ms, rateUgPerKgPerH: null, bolusUg: null }];
    expect(sessionTotals(stopAt(89.5 * MIN), W, 100 * MIN, 0, null).durationMin).toBe(90);
    expect(sessionTotals(stopAt(89.5 * MIN - 1), W, 100 * MIN, 0, null).durationMin).toBe(89);
  });
  it("without a STOP, a completed session's duration ends at its completion", () => {
    expect(sessionTotals([ev("START", 0, 300)], W, 50 * MIN, 0, 50 * MIN).durationMin).toBe(50);
  });
});
