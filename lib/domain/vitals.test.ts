import { describe, expect, it } from "vitest";
import { VITALS_BOUNDS, type VitalsInputValues, validateVitalsPlausibility } from "./vitals";

const normal: VitalsInputValues = { systolicMmHg: 120, diastolicMmHg: 80, heartRatePerMin: 72, spo2Pct: 98, respRatePerMin: 14 };

describe("validateVitalsPlausibility", () => {
  it("accepts a normal reading", () => {
    expect(validateVitalsPlausibility(normal)).toEqual({});
    expect(validateVitalsPlausibility({ ...normal, temperatureDeciC: 372, sedationRass: 0 })).toEqual({});
  });

  // every bound: exactly at it is possible, one step beyond is rejected
  const cases: [keyof typeof VITALS_BOUNDS, number, boolean][] = [];
  for (const [field, bound] of Object.entries(VITALS_BOUNDS) as [keyof typeof VITALS_BOUNDS, { min: number; max: number }][]) {
    cases.push([field, bound.min - 1, false], [field, bound.min, true], [field, bound.max, true], [field, bound.max + 1, false]);
  }
  it.each(cases)("%s = %d is plausible: %s", (field, value, plausible) => {
    // keep systolic > diastolic while probing either
    const base: VitalsInputValues = field === "diastolicMmHg" ? { ...normal, systolicMmHg: 300 } : field === "systolicMmHg" ? { ...normal, diastolicMmHg: 20 } : normal;
    const errors = validateVitalsPlausibility({ ...base, [field]: value });
    expect(field in errors).toBe(!plausible);
  });

  it.each<[Partial<VitalsInputValues>, Record<string, string>]>([
    [{ spo2Pct: 140 }, { spo2Pct: "must be 50 to 100%" }],
    [{ temperatureDeciC: 451 }, { temperatureDeciC: "must be 30-45 °C" }],
    [{ heartRatePerMin: 72.5 }, { heartRatePerMin: "must be a whole number" }],
    [{ respRatePerMin: null }, { respRatePerMin: "is required" }],
    [{ respRatePerMin: 0 }, {}], // apnoea is a real reading
    [{ diastolicMmHg: 120 }, { diastolicMmHg: "diastolic must be below systolic" }], // equal
    [{ diastolicMmHg: 119 }, {}], // one below
    [{ temperatureDeciC: null, sedationRass: undefined }, {}], // optional
  ])("%j", (patch, errors) => {
    expect(validateVitalsPlausibility({ ...normal, ...patch })).toEqual(errors);
  });
});
