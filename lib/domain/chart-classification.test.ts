// The titration chart colours each rate and bolus with classifyRate()/classifyBolus(); these cases hold them to the flag
// engine's own verdict at every limit, so the chart and the flags cannot drift apart.
import { describe, expect, it } from "vitest";
import { classifyBolus, classifyRate, evaluateDoseEvent } from "./flags";
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

// Rates: soft 0.1-0.5 mg/kg/h, hard 1.0 mg/kg/h (the anesthetic edge on IV).
function engineRateZone(l: ProtocolLimits, type: "START" | "RATE_CHANGE", rateUgPerKgPerH: number, route: "IV" | "PO" | "IN") {
  const prior = type === "START" ? [] : [{ type: "START" as const, atMs: 0, rateUgPerKgPerH: rateUgPerKgPerH, bolusUg: null }];
  const flags = evaluateDoseEvent({
    limits: l, weightG: W, prior, route,
    event: { type, atMs: 10 * 60_000, rateUgPerKgPerH, bolusUg: null },
  }).filter((f) => f.code.startsWith("RATE_") || f.code === "DOSE_ANESTHETIC_RANGE");
  if (flags.some((f) => f.severity === "HARD")) return "AT_OR_ABOVE_HARD";
  if (flags.some((f) => f.code === "RATE_ABOVE_RANGE")) return "ABOVE_SOFT";
  return flags.some((f) => f.code === "RATE_BELOW_RANGE") ? "BELOW_SOFT" : "IN_RANGE";
}

const RATE_CASES: [string, "START" | "RATE_CHANGE", number, "IV" | "PO", string][] = [
  ["1 µg/kg/h under the soft min", "RATE_CHANGE", 99, "IV", "BELOW_SOFT"],
  ["exactly at the soft min", "RATE_CHANGE", 100, "IV", "IN_RANGE"],
  ["exactly at the soft max", "RATE_CHANGE", 500, "IV", "IN_RANGE"],
  ["1 µg/kg/h over the soft max", "RATE_CHANGE", 501, "IV", "ABOVE_SOFT"],
  ["1 µg/kg/h under the hard max", "RATE_CHANGE", 999, "IV", "ABOVE_SOFT"],
  ["exactly at the hard max (IV)", "RATE_CHANGE", 1000, "IV", "AT_OR_ABOVE_HARD"],
  ["a START judged like a later rate when there is no start range", "START", 501, "IV", "ABOVE_SOFT"],
];

describe("classifyRate agrees with the flag engine", () => {
  it.each(RATE_CASES)("%s", (_name, type, rate, route, zone) => {
    const l = limits(200, 400);
    expect(classifyRate(l, type, rate, route)).toBe(zone);
    expect(engineRateZone(l, type, rate, route)).toBe(zone);
  });

  it("the anesthetic edge is an IV limit: 1 mg/kg/h on an oral protocol with a higher hard limit is not HARD", () => {
    const l = { ...limits(200, 400), hardMaxRateUgPerKgPerH: 2000 };
    expect(classifyRate(l, "RATE_CHANGE", 1000, "IV")).toBe("AT_OR_ABOVE_HARD");
    expect(classifyRate(l, "RATE_CHANGE", 1000, "PO")).toBe("ABOVE_SOFT");
    expect(engineRateZone(l, "RATE_CHANGE", 1000, "PO")).toBe("ABOVE_SOFT");
  });
});
