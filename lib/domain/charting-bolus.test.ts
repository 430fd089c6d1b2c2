// The titration chart colours each bolus with classifyBolus(); these cases hold it to the flag
// engine's own verdict at every limit, so the chart and the flags cannot drift apart.
import { describe, expect, it } from "vitest";
import { classifyBolus, evaluateDoseEvent } from "./flags";
import { DEFAULT_VITALS_THRESHOLDS, type ProtocolLimits } from "./protocol";

const W = 70_000; // 70 kg
const limits = (softMaxBolusUgPerKg: number | null, hardMaxBolusUgPerKg: number): ProtocolLimits => ({
  doseBasis: "RATE_PER_KG",
  softMinRateUgPerKgPerH: 100, softMaxRateUgPerKgPerH: 500, startMinRateUgPerKgPerH: null, startMaxRateUgPerKgPerH: null,
  hardMaxRateUgPerKgPerH: 1000, softMaxBolusUgPerKg, hardMaxBolusUgPerKg, maxStepUgPerKgPerH: null,
  maxCumulativeUgPerKg: null, maxCumulativeUg: null, minDurationMin: null, maxDurationMin: null, defaultPlannedSessions: null,
  minIntervalHours: null, maxSessionsPer7Days: null, ...DEFAULT_VITALS_THRESHOLDS,
});

/** The engine's verdict on one bolus during a running 0.3 mg/kg/h infusion. */
function engineZone(l: ProtocolLimits, bolusUg: number) {
  const flags = evaluateDoseEvent({
    limits: l, weightG: W,
    prior: [{ type: "START", atMs: 0, rateUgPerKgPerH: 300, bolusUg: null }],
    event: { type: "BOLUS", atMs: 10 * 60_000, rateUgPerKgPerH: null, bolusUg },
  }).filter((f) => f.code.startsWith("BOLUS_") || f.code === "DOSE_ANESTHETIC_RANGE");
  if (flags.some((f) => f.severity === "HARD")) return "AT_OR_ABOVE_HARD";
  return flags.some((f) => f.code === "BOLUS_ABOVE_RANGE") ? "ABOVE_SOFT" : "IN_RANGE";
}

// soft 0.2 mg/kg = 14 000 µg at 70 kg; hard 0.4 mg/kg = 28 000 µg.
// With a hard limit above the anesthetic edge (2 mg/kg), the edge (1 mg/kg = 70 000 µg) is the hard limit.
const CASES: [string, ProtocolLimits, number, string][] = [
  ["exactly at the soft max", limits(200, 400), 14_000, "IN_RANGE"],
  ["1 µg over the soft max", limits(200, 400), 14_001, "ABOVE_SOFT"],
  ["1 µg under the hard max", limits(200, 400), 27_999, "ABOVE_SOFT"],
  ["exactly at the hard max", limits(200, 400), 28_000, "AT_OR_ABOVE_HARD"],
  ["no soft max: under the hard max", limits(null, 400), 27_999, "IN_RANGE"],
  ["1 µg under the anesthetic edge", limits(200, 2000), 69_999, "ABOVE_SOFT"],
  ["exactly at the anesthetic edge", limits(200, 2000), 70_000, "AT_OR_ABOVE_HARD"],
];

describe("classifyBolus agrees with the flag engine", () => {
  it.each(CASES)("%s", (_name, l, bolusUg, zone) => {
    expect(classifyBolus(l, W, bolusUg)).toBe(zone);
    expect(engineZone(l, bolusUg)).toBe(zone);
  });
});
