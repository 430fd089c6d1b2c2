import { describe, expect, it } from "vitest";
import { DEFAULT_SAFETY_SETTINGS, DEFAULT_VITALS_THRESHOLDS, type ProtocolLimits, documentedBand, safetySettingsOf, validateProtocolLimits } from "./protocol";
import { FIXED_POINT_TOLERANCE_PCT, SEEDED_PROTOCOLS, derivedCumulativeUgPerKg } from "./protocol-catalog";

const valid: ProtocolLimits = {
  doseBasis: "RATE_PER_KG",
  softMinRateUgPerKgPerH: 100,
  softMaxRateUgPerKgPerH: 700,
  startMinRateUgPerKgPerH: 100,
  startMaxRateUgPerKgPerH: 300,
  hardMaxRateUgPerKgPerH: 1000,
  softMaxBolusUgPerKg: 500,
  hardMaxBolusUgPerKg: 1000,
  maxStepUgPerKgPerH: 100,
  maxCumulativeUgPerKg: 1000,
  maxCumulativeUg: null,
  minDurationMin: 60,
  maxDurationMin: 240,
  defaultPlannedSessions: 6,
  minIntervalHours: 20,
  maxSessionsPer7Days: 6,
  ...DEFAULT_VITALS_THRESHOLDS,
};

describe("DEFAULT_VITALS_THRESHOLDS", () => {
  it("matches docs/clinical-brief.md [default] values", () => {
    expect(DEFAULT_VITALS_THRESHOLDS).toEqual({
      vitalsIntervalMin: 15, sbpHighMmHg: 160, dbpHighMmHg: 100, bpRisePct: 20,
      hrHighPerMin: 120, hrLowPerMin: 50, spo2LowPct: 92, rrLowPerMin: 10, rrHighPerMin: 24,
    });
  });
});

describe("validateProtocolLimits", () => {
  it("accepts a coherent protocol", () => {
    expect(validateProtocolLimits(valid)).toEqual({});
  });
  it.each<[string, Partial<ProtocolLimits>, string]>([
    ["soft min above soft max", { softMinRateUgPerKgPerH: 701 }, "softMaxRateUgPerKgPerH"],
    ["start max above soft max", { startMaxRateUgPerKgPerH: 701 }, "startMaxRateUgPerKgPerH"],
    ["start min below soft min", { startMinRateUgPerKgPerH: 99 }, "startMinRateUgPerKgPerH"],
    ["soft max at the hard limit", { softMaxRateUgPerKgPerH: 1000 }, "softMaxRateUgPerKgPerH"],
    ["soft bolus at the hard bolus", { softMaxBolusUgPerKg: 1000 }, "softMaxBolusUgPerKg"],
    ["hard rate above the anesthetic edge", { hardMaxRateUgPerKgPerH: 1001 }, "hardMaxRateUgPerKgPerH"],
    ["hard bolus above the anesthetic edge", { hardMaxBolusUgPerKg: 1001 }, "hardMaxBolusUgPerKg"],
    ["zero step", { maxStepUgPerKgPerH: 0 }, "maxStepUgPerKgPerH"],
    ["negative cumulative", { maxCumulativeUgPerKg: -1 }, "maxCumulativeUgPerKg"],
    ["fractional rate", { softMinRateUgPerKgPerH: 100.5 }, "softMinRateUgPerKgPerH"],
    ["min duration above max", { minDurationMin: 241 }, "maxDurationMin"],
    ["HR low above high", { hrLowPerMin: 121 }, "hrHighPerMin"],
    ["RR low above high", { rrLowPerMin: 25 }, "rrHighPerMin"],
    ["SpO2 over 100", { spo2LowPct: 101 }, "spo2LowPct"],
    ["zero vitals interval", { vitalsIntervalMin: 0 }, "vitalsIntervalMin"],
    ["soft min at the hard limit", { softMinRateUgPerKgPerH: 1000, softMaxRateUgPerKgPerH: null }, "softMinRateUgPerKgPerH"],
    ["start max at the hard limit", { softMaxRateUgPerKgPerH: null, startMaxRateUgPerKgPerH: 1000 }, "startMaxRateUgPerKgPerH"],
    ["start min above start max", { startMinRateUgPerKgPerH: 301 }, "startMaxRateUgPerKgPerH"],
    ["step at the hard limit", { maxStepUgPerKgPerH: 1000 }, "maxStepUgPerKgPerH"],
    ["step above a lowered hard limit", { hardMaxRateUgPerKgPerH: 800, maxStepUgPerKgPerH: 800 }, "maxStepUgPerKgPerH"],
    ["fixed total without an mg ceiling", { doseBasis: "FIXED_TOTAL", maxCumulativeUg: null }, "maxCumulativeUg"],
    ["zero hard rate", { hardMaxRateUgPerKgPerH: 0 }, "hardMaxRateUgPerKgPerH"],
    ["zero hard bolus", { hardMaxBolusUgPerKg: 0 }, "hardMaxBolusUgPerKg"],
    ["DBP threshold above SBP", { dbpHighMmHg: 161 }, "sbpHighMmHg"],
    ["vitals interval over a day", { vitalsIntervalMin: 1441 }, "vitalsIntervalMin"],
    ["bp rise over 200%", { bpRisePct: 201 }, "bpRisePct"],
    ["sessions per 7 days over 168", { maxSessionsPer7Days: 169 }, "maxSessionsPer7Days"],
    ["zero planned sessions", { defaultPlannedSessions: 0 }, "defaultPlannedSessions"],
    ["negative interval hours", { minIntervalHours: -1 }, "minIntervalHours"],
    ["unknown dose basis", { doseBasis: "PER_HOUR" as ProtocolLimits["doseBasis"] }, "doseBasis"],
  ])("%s", (_label, patch, field) => {
    expect(Object.keys(validateProtocolLimits({ ...valid, ...patch }))).toContain(field);
  });
  it.each<[string, Partial<ProtocolLimits>]>([
    ["soft max one below hard", { softMaxRateUgPerKgPerH: 999 }],
    ["a lower hard limit", { hardMaxRateUgPerKgPerH: 800 }],
    ["start range equal to soft range", { startMinRateUgPerKgPerH: 100, startMaxRateUgPerKgPerH: 700 }],
    ["min duration equal to max", { minDurationMin: 240 }],
    ["step one below the hard limit", { maxStepUgPerKgPerH: 999 }],
    ["fixed total with an mg ceiling", { doseBasis: "FIXED_TOTAL", maxCumulativeUg: 88_000 }],
    ["soft bolus one below the hard bolus", { softMaxBolusUgPerKg: 999 }],
    ["hard limits exactly at the anesthetic edge", { hardMaxRateUgPerKgPerH: 1000, hardMaxBolusUgPerKg: 1000 }],
    ["SpO2 exactly 100", { spo2LowPct: 100 }],
    ["vitals interval exactly a day", { vitalsIntervalMin: 1440 }],
    ["HR low equal to high", { hrLowPerMin: 120 }],
    ["everything optional absent", { softMinRateUgPerKgPerH: null, softMaxRateUgPerKgPerH: null, startMinRateUgPerKgPerH: null, startMaxRateUgPerKgPerH: null, softMaxBolusUgPerKg: null, maxStepUgPerKgPerH: null, maxCumulativeUgPerKg: null, minDurationMin: null, maxDurationMin: null, defaultPlannedSessions: null, minIntervalHours: null, maxSessionsPer7Days: null }],
  ])("accepts %s", (_label, patch) => {
    expect(validateProtocolLimits({ ...valid, ...patch })).toEqual({});
  });
});

describe("safety settings [default]", () => {
  it("match the clinical brief's defaults", () => {
    expect(DEFAULT_SAFETY_SETTINGS).toEqual({
      weightChangeConfirmPct: 10, poundsTolerancePct: 3, standardConcentrationsUgPerMl: [1000, 2000], pumpStepCentiMlPerH: 10,
      pumpRoundingTolerancePct: 5, bolusWindowMin: 60, vitalsAfterIncreaseMin: 5, lowBaselinePainNrs: 4,
    });
  });
  it("fill each missing setting with its default and keep a protocol's own", () => {
    expect(safetySettingsOf({ ...valid, bolusWindowMin: 30 })).toEqual({ ...DEFAULT_SAFETY_SETTINGS, bolusWindowMin: 30 });
  });
  it.each<[Partial<ProtocolLimits>, string | null]>([
    [{ poundsTolerancePct: 30 }, null],
    [{ poundsTolerancePct: 31 }, "poundsTolerancePct"],
    [{ pumpStepCentiMlPerH: 1 }, null],
    [{ pumpStepCentiMlPerH: 0 }, "pumpStepCentiMlPerH"],
    [{ standardConcentrationsUgPerMl: [] }, "standardConcentrationsUgPerMl"],
    [{ standardConcentrationsUgPerMl: [1005] }, "standardConcentrationsUgPerMl"], // finer than 0.01 mg/mL
    [{ standardConcentrationsUgPerMl: [1000, 50_000] }, "standardConcentrationsUgPerMl"], // a stock vial
    [{ lowBaselinePainNrs: 0 }, null],
    [{ lowBaselinePainNrs: 11 }, "lowBaselinePainNrs"],
    [{ vitalsAfterIncreaseMin: 0 }, "vitalsAfterIncreaseMin"],
  ])("validates %j", (patch, field) => {
    const errors = validateProtocolLimits({ ...valid, ...patch });
    expect(Object.keys(errors)).toEqual(field === null ? [] : [field]);
  });
  it("holds only an IV protocol under the anaesthetic edge", () => {
    const oral = { ...valid, hardMaxBolusUgPerKg: 2000, softMaxBolusUgPerKg: null };
    expect(Object.keys(validateProtocolLimits(oral, "IV"))).toEqual(["hardMaxBolusUgPerKg"]);
    expect(validateProtocolLimits(oral, "PO")).toEqual({});
  });
});

describe("derivedCumulativeUgPerKg", () => {
  it("is the highest rate for the longest time, exact", () => {
    expect(derivedCumulativeUgPerKg(385, 264)).toBe(1694); // 101640 / 60
    expect(derivedCumulativeUgPerKg(825, 44)).toBe(605); // 36300 / 60
    expect(() => derivedCumulativeUgPerKg(385, 263)).toThrow(RangeError); // 101255 / 60 is not whole
  });
});

describe("documentedBand", () => {
  it("is the soft span, start range and hard line", () => {
    expect(documentedBand(valid)).toEqual({ minUgPerKgPerH: 100, maxUgPerKgPerH: 700, startMinUgPerKgPerH: 100, startMaxUgPerKgPerH: 300, hardMaxUgPerKgPerH: 1000 });
  });
});

describe("SEEDED_PROTOCOLS", () => {
  it("has one protocol per docs/clinical-brief.md row, unique names", () => {
    expect(SEEDED_PROTOCOLS).toHaveLength(11);
    expect(new Set(SEEDED_PROTOCOLS.map((p) => p.name)).size).toBe(11);
  });
  it.each(SEEDED_PROTOCOLS.map((p) => [p.name, p] as const))("%s is valid, sourced and explained", (_name, p) => {
    expect(validateProtocolLimits(p.limits, p.route)).toEqual({});
    expect(p.sourceDocument).toMatch(/^00[0-4] — .+ \(00[0-4]_[0-9a-f]{16}\.txt\)$/);
    expect(p.sourceWording.length).toBeGreaterThan(20);
    // every hard limit says why it is where it is; IV at the anaesthetic edge, PO and IN their own
    expect(p.limitRationale).toMatch(p.route === "IV" ? /anesthetic range/ : /Hard limit \d\.\d{3} mg\/kg per dose \[default\]: the anaesthetic edge/);
    expect(p.limits).toMatchObject(DEFAULT_VITALS_THRESHOLDS);
  });

  const byName = (name: string) => {
    const found = SEEDED_PROTOCOLS.find((p) => p.name === name);
    if (!found) throw new Error(`missing ${name}`);
    return found.limits;
  };
  it.each<[string, Partial<ProtocolLimits>]>([
    // 0.1-0.5 mg/kg read as an amount per session
    ["General subanesthetic pain dosing", { doseBasis: "AMOUNT_PER_KG", maxCumulativeUgPerKg: 500, softMaxBolusUgPerKg: 500, hardMaxRateUgPerKgPerH: 1000, hardMaxBolusUgPerKg: 1000 }],
    ["IV infusion (routes table)", { softMinRateUgPerKgPerH: 100, softMaxRateUgPerKgPerH: 500 }],
    // hard per dose 2 × the documented 1 mg/kg/day: no documented dose reaches it
    ["Oral maintenance (routes table)", { doseBasis: "DAILY_PER_KG", maxCumulativeUgPerKg: 1000, softMaxBolusUgPerKg: null, hardMaxBolusUgPerKg: 2000 }],
    // hard per dose 2 × the documented 0.4 mg/kg
    ["Intranasal breakthrough (routes table)", { doseBasis: "PER_DOSE_PER_KG", softMaxBolusUgPerKg: 400, hardMaxBolusUgPerKg: 800 }],
    // start 0.1-0.3, span 0.1-0.7; 4-5 days = 5760-7200 min; 90 days = 2160 h
    ["CRPS multi-day infusion", { startMinRateUgPerKgPerH: 100, startMaxRateUgPerKgPerH: 300, softMinRateUgPerKgPerH: 100, softMaxRateUgPerKgPerH: 700, minDurationMin: 5760, maxDurationMin: 7200, minIntervalHours: 2160 }],
    // 350 ± 10% = 315..385; 240 min ± 10% = 216..264; total derived 385 × 264 / 60 = 101640 / 60 = 1694
    ["CRPS outpatient 0.35 mg/kg/h", { softMinRateUgPerKgPerH: 315, softMaxRateUgPerKgPerH: 385, minDurationMin: 216, maxDurationMin: 264, maxCumulativeUgPerKg: 1694 }],
    // 80 mg + 10% = 88000 µg; 300 min ± 10% = 270..330
    ["CRPS 80 mg over 5 hours", { doseBasis: "FIXED_TOTAL", maxCumulativeUg: 88_000, minDurationMin: 270, maxDurationMin: 330 }],
    ["Practice-guideline start 80 mg", { doseBasis: "FIXED_TOTAL", maxCumulativeUg: 88_000, minDurationMin: 120, maxDurationMin: null }],
    // 0.5 mg/kg / (40/60 h) = 750 µg/kg/h ± 10% = 675..825; 40 ± 10% = 36..44; total derived 825 × 44 / 60 = 36300 / 60 = 605
    ["Fibromyalgia 0.5 mg/kg over 40 minutes", { softMinRateUgPerKgPerH: 675, softMaxRateUgPerKgPerH: 825, maxCumulativeUgPerKg: 605, minDurationMin: 36, maxDurationMin: 44, maxSessionsPer7Days: 2 }],
    // 0.3 mg/kg/h × 4 h = 1200 µg/kg
    ["Chronic neuropathic pain 0.1-0.3 mg/kg/h", { softMinRateUgPerKgPerH: 100, softMaxRateUgPerKgPerH: 300, minDurationMin: 120, maxDurationMin: 240, maxCumulativeUgPerKg: 1200, maxSessionsPer7Days: 5 }],
    ["Guideline summary 0.1-1.0 mg/kg over 1-4 hours", { maxCumulativeUgPerKg: 1000, minDurationMin: 60, maxDurationMin: 240, defaultPlannedSessions: 6 }],
  ])("%s reads the documents as stated", (name, expected) => {
    expect(byName(name)).toMatchObject(expected);
  });
  it("states the ±10% tolerance it applies", () => {
    expect(FIXED_POINT_TOLERANCE_PCT).toBe(10);
    for (const name of ["CRPS outpatient 0.35 mg/kg/h", "CRPS 80 mg over 5 hours", "Fibromyalgia 0.5 mg/kg over 40 minutes"]) {
      expect(SEEDED_PROTOCOLS.find((p) => p.name === name)?.limitRationale).toMatch(/±10%/);
    }
  });
});
