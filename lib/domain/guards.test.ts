import { describe, expect, it } from "vitest";
import { checkConcentration, checkOpenedAt, checkWeight, formatKgShort, isLateEntry, pumpRateRefusal, pumpRounding, startGuards, weightRefusal } from "./guards";
import { DEFAULT_SAFETY_SETTINGS } from "./protocol";

const settings = DEFAULT_SAFETY_SETTINGS;

describe("checkWeight against the last recorded weight (70 kg)", () => {
  const last = 70_000;
  // pounds centre: 70000 × 2.2046 = 154322 g; band ± 3% = ± 4629.66 g -> 149692.34 .. 158951.66 g
  // change: 10% of 70000 = 7000 g -> 63000 .. 77000 g is no change worth confirming (inclusive)
  it.each<[number, string]>([
    [70_000, "OK"],
    [77_000, "OK"], // exactly +10%
    [77_100, "LARGE_CHANGE"], // +10.1%
    [63_000, "OK"], // exactly -10%
    [62_900, "LARGE_CHANGE"], // -10.1%
    [149_600, "LARGE_CHANGE"], // one 100 g step below the pounds band (|1496000000 - 1543220000| × 100 = 4722000000 > 3 × 1543220000 = 4629660000)
    [149_700, "LOOKS_LIKE_POUNDS"], // first step inside (4622000000 <= 4629660000)
    [154_000, "LOOKS_LIKE_POUNDS"], // the classic: 70 kg typed as 154 "kg"
    [158_900, "LOOKS_LIKE_POUNDS"], // last step inside (4578000000 <= 4629660000)
    [159_000, "LARGE_CHANGE"], // first step above (4678000000 > 4629660000)
  ])("%d g -> %s", (weightG, status) => {
    expect(checkWeight({ weightG, previousWeightG: last, settings }).status).toBe(status);
  });

  it("says what to do, in the nurse's words", () => {
    // 154000 / 70000 = 2.2
    expect(checkWeight({ weightG: 154_000, previousWeightG: last, settings })).toEqual({
      status: "LOOKS_LIKE_POUNDS",
      ratioTenths: 22,
      message: "154 kg is 2.2 × the last weight of 70 kg: did you enter pounds? Enter the weight in kg, or confirm it with a reason if the patient really weighs 154 kg.",
    });
    // (77100 - 70000) / 70000 = 10.142% -> 10.1%
    expect(checkWeight({ weightG: 77_100, previousWeightG: last, settings })).toMatchObject({
      changeTenthsPct: 101,
      message: "77.1 kg is 10.1% more than the last weight of 70 kg (more than 10%). Re-weigh the patient, or confirm the weight with a reason.",
    });
  });

  it("has nothing to compare at a first weighing", () => {
    expect(checkWeight({ weightG: 154_000, previousWeightG: null, settings }).status).toBe("NO_PREVIOUS_WEIGHT");
  });

  it("refuses a flagged weight unless confirmed with a reason (one rule for the form and the API)", () => {
    const pounds = checkWeight({ weightG: 154_000, previousWeightG: last, settings });
    expect(weightRefusal(pounds, undefined)).toMatch(/did you enter pounds\?/);
    expect(weightRefusal(pounds, "  ab ")).toMatch(/did you enter pounds\?/); // 2 characters after trimming
    expect(weightRefusal(pounds, "abc")).toBeNull();
    expect(weightRefusal(checkWeight({ weightG: 77_000, previousWeightG: last, settings }), null)).toBeNull();
  });

  it("rejects an impossible weight as a programming error", () => {
    expect(() => checkWeight({ weightG: 0, previousWeightG: last, settings })).toThrow(RangeError);
  });

  it("writes weights as a nurse says them", () => {
    expect([formatKgShort(154_000), formatKgShort(72_500), formatKgShort(70_050)]).toEqual(["154", "72.5", "70.1"]);
  });
});

describe("checkConcentration against the drug library (1 and 2 mg/mL) and the stock vials", () => {
  it.each<[number, string]>([
    [1000, "STANDARD"],
    [2000, "STANDARD"],
    [990, "NOT_STANDARD"], // one 0.01 mg/mL step either side
    [1010, "NOT_STANDARD"],
    [10_000, "NOT_STANDARD"], // the 10 mg/mL vial: unusual for an infusion, but not a stock-vial stop
    [49_990, "NOT_STANDARD"],
    [50_000, "STOCK_VIAL"],
    [50_010, "NOT_STANDARD"],
    [100_000, "STOCK_VIAL"],
  ])("%d µg/mL -> %s", (concentrationUgPerMl, status) => {
    expect(checkConcentration({ concentrationUgPerMl, settings }).status).toBe(status);
  });

  it("says what to do", () => {
    expect(checkConcentration({ concentrationUgPerMl: 50_000, settings })).toEqual({
      status: "STOCK_VIAL",
      message: "50 mg/mL is an undiluted stock vial, not an infusion concentration. Dilute to 1 mg/mL or 2 mg/mL; charting it needs a physician's override.",
    });
    expect(checkConcentration({ concentrationUgPerMl: 1500, settings })).toEqual({
      status: "NOT_STANDARD",
      message: "1.5 mg/mL is not one of this protocol's standard concentrations (1 mg/mL or 2 mg/mL). Check the bag's label; give a reason to use it.",
    });
  });

  it("follows the protocol version's own library", () => {
    expect(checkConcentration({ concentrationUgPerMl: 500, settings: { standardConcentrationsUgPerMl: [500] } }).status).toBe("STANDARD");
  });
});

describe("pumpRounding: what the 0.1 mL/h pump really delivers", () => {
  it("hand check: 70 kg, 50 mg/mL, 0.1 mg/kg/h", () => {
    // exact 100 × 70000 / (1000 × 50000) = 0.14 mL/h; steps round(1.4) = 1 -> 0.1 mL/h
    // delivered 1 × 10 × 50000 × 10 / 70000 = 71.43 -> 71 µg/kg/h; (7000000 - 5000000) / 7000000 = 28.57% -> 28.6%
    expect(pumpRounding({ rateUgPerKgPerH: 100, weightG: 70_000, concentrationUgPerMl: 50_000, settings })).toEqual({
      pumpCentiMlPerH: 10,
      pumpMlPerHText: "0.1",
      deliveredUgPerKgPerH: 71,
      deviationTenthsPct: 286,
      isUnder: true,
      isOutsideTolerance: true,
      isZero: false,
      message: "The pump runs 0.1 mL/h (ordered 0.14 mL/h), which delivers 0.071 mg/kg/h, 28.6% under the ordered 0.100 mg/kg/h. Consider a lower concentration so the pump can run the ordered dose.",
    });
  });

  // 40 kg at 19 mg/mL: exact mL/h = rate × 40000 / 19000000; 0.100 mg/kg/h = 0.2105 mL/h -> 0.2 mL/h
  // delivered scale 2 × 10 × 19000 × 10 = 3800000 vs ordered rate × 40000
  it.each<[number, number, boolean]>([
    [99, 40, false], // ordered 3960000: |3800000 - 3960000| × 1000 / 3960000 = 40.4 -> 4.0%
    [100, 50, false], // ordered 4000000: 200000 × 100 = 20000000 = 5 × 4000000: exactly 5%, inside
    [101, 59, true], // ordered 4040000: 240000 × 100 = 24000000 > 20200000: 5.9%, outside
  ])("rate %d µg/kg/h -> deviation %d tenths of %%, outside: %s", (rate, tenths, outside) => {
    const result = pumpRounding({ rateUgPerKgPerH: rate, weightG: 40_000, concentrationUgPerMl: 19_000, settings });
    expect(result.pumpMlPerHText).toBe("0.2");
    expect(result.deviationTenthsPct).toBe(tenths);
    expect(result.isOutsideTolerance).toBe(outside);
    expect(result.message === null).toBe(!outside);
  });

  it("is exact when the pump can run the ordered rate (70 kg, 1 mg/mL, 0.35 mg/kg/h = 24.5 mL/h)", () => {
    expect(pumpRounding({ rateUgPerKgPerH: 350, weightG: 70_000, concentrationUgPerMl: 1000, settings })).toMatchObject({ pumpMlPerHText: "24.5", deliveredUgPerKgPerH: 350, deviationTenthsPct: 0, isOutsideTolerance: false, message: null });
  });

  it("uses a syringe pump's 0.01 mL/h step when the protocol says so", () => {
    // 70 kg, 50 mg/mL, 0.1 mg/kg/h: 0.14 mL/h exactly on a 0.01 step
    expect(pumpRounding({ rateUgPerKgPerH: 100, weightG: 70_000, concentrationUgPerMl: 50_000, settings: { pumpStepCentiMlPerH: 1, pumpRoundingTolerancePct: 5 } })).toMatchObject({ pumpMlPerHText: "0.14", deliveredUgPerKgPerH: 100, isOutsideTolerance: false });
  });

  // 50 kg at 100 mg/mL: steps = rate × 50000 / (10 × 100000 × 10) = rate / 200: 0.5 at 100 µg/kg/h
  it.each<[number, boolean]>([
    [99, true], // 0.495 steps -> 0: the pump would show 0.0 mL/h
    [100, false], // 0.5 steps -> 1 (half up): 0.1 mL/h
  ])("refuses a running rate that rounds to 0.0 mL/h: rate %d -> refused %s", (rate, refused) => {
    const message = pumpRateRefusal({ rateUgPerKgPerH: rate, weightG: 50_000, concentrationUgPerMl: 100_000, settings });
    expect(message !== null).toBe(refused);
    if (refused) {
      // exact hundredths of mL/h: 99 × 50000 / (10 × 100000) = 4.95 -> 5 -> 0.05 mL/h
      expect(message).toBe("0.099 mg/kg/h at 50 kg and 100 mg/mL is 0.05 mL/h, which the pump sets as 0.0 mL/h: nothing would run. Use a lower concentration or check the rate.");
    }
  });

  it("rejects non-integer or zero inputs as programming errors", () => {
    expect(() => pumpRounding({ rateUgPerKgPerH: 0, weightG: 70_000, concentrationUgPerMl: 1000, settings })).toThrow(RangeError);
    expect(() => pumpRounding({ rateUgPerKgPerH: 100, weightG: 70_000.5, concentrationUgPerMl: 1000, settings })).toThrow(RangeError);
  });
});

describe("isLateEntry: charted strictly more than 10 minutes after its clinical time", () => {
  const t = Date.UTC(2026, 2, 2, 14, 0);
  it.each<[number, boolean]>([
    [0, false],
    [10 * 60_000, false], // exactly 10 min: on time
    [10 * 60_000 + 1, true], // 1 ms beyond
    [-5 * 60_000, false], // charted ahead of time (device clock): not late
  ])("charted %i ms after -> %s", (delayMs, late) => {
    expect(isLateEntry(t, t + delayMs)).toBe(late);
  });
});

describe("checkOpenedAt: late documentation", () => {
  const now = Date.UTC(2026, 2, 10, 15, 0);
  const min = 60_000;
  it.each<[string, Parameters<typeof checkOpenedAt>[0], ReturnType<typeof checkOpenedAt>]>([
    ["now, no reason", { openedAtMs: now, nowMs: now, lateEntryReason: undefined }, null],
    ["exactly 10 min back, no reason", { openedAtMs: now - 10 * min, nowMs: now, lateEntryReason: undefined }, null],
    ["10 min 1 ms back needs a reason", { openedAtMs: now - 10 * min - 1, nowMs: now, lateEntryReason: "" }, { field: "lateEntryReason", message: "say why the session is documented late (at least 3 characters)" }],
    ["a two-letter reason is not one", { openedAtMs: now - 30 * min, nowMs: now, lateEntryReason: " ok " }, { field: "lateEntryReason", message: "say why the session is documented late (at least 3 characters)" }],
    ["30 min back with a reason", { openedAtMs: now - 30 * min, nowMs: now, lateEntryReason: "paper chart" }, null],
    ["exactly 7 days back", { openedAtMs: now - 7 * 24 * 60 * min, nowMs: now, lateEntryReason: "paper chart" }, null],
    ["7 days and 1 ms back", { openedAtMs: now - 7 * 24 * 60 * min - 1, nowMs: now, lateEntryReason: "paper chart" }, { field: "openedAt", message: "must be at most 7 days in the past" }],
    ["2 min ahead (clock skew) is allowed", { openedAtMs: now + 2 * min, nowMs: now, lateEntryReason: undefined }, null],
    ["2 min 1 ms ahead is the future", { openedAtMs: now + 2 * min + 1, nowMs: now, lateEntryReason: undefined }, { field: "openedAt", message: "must not be in the future" }],
    ["moving: not earlier than the current opening time", { openedAtMs: now - 30 * min, nowMs: now, lateEntryReason: "paper chart", currentOpenedAtMs: now - 30 * min }, { field: "openedAt", message: "can only be moved earlier than the current opening time" }],
    ["moving: after the first entry", { openedAtMs: now - 20 * min, nowMs: now, lateEntryReason: "paper chart", currentOpenedAtMs: now - 10 * min, firstEntryAtMs: now - 25 * min }, { field: "openedAt", message: "must not be later than the first charted entry" }],
    ["moving: earlier by 1 min always needs a reason", { openedAtMs: now - 2 * min, nowMs: now, lateEntryReason: "", currentOpenedAtMs: now - min }, { field: "lateEntryReason", message: "say why the session is documented late (at least 3 characters)" }],
    ["moving: earlier, at the first entry, with a reason", { openedAtMs: now - 25 * min, nowMs: now, lateEntryReason: "paper chart", currentOpenedAtMs: now - 10 * min, firstEntryAtMs: now - 25 * min }, null],
  ])("%s", (_name, input, expected) => {
    expect(checkOpenedAt(input)).toEqual(expected);
  });
});

describe("startGuards: the one decision the start form and the API share", () => {
  const base = { previousWeightG: 70_000, route: "IV" as const, settings: { ...settings, standardConcentrationsUgPerMl: [1000, 2000] } };
  it("nothing typed yet: no checks, no refusal", () => {
    expect(startGuards({ ...base, weightG: null, concentrationUgPerMl: null })).toEqual({ weight: null, concentration: null, errors: {}, isHardLimit: false });
  });
  it("154 kg at 1 mg/mL: refused on weightKg until a reason of 3 characters is given", () => {
    const refused = startGuards({ ...base, weightG: 154_000, concentrationUgPerMl: 1000 });
    expect(refused.errors.weightKg).toMatch(/^154 kg is 2\.2 × the last weight of 70 kg: did you enter pounds\?/);
    expect(refused.errors.weightConfirmReason).toBe("confirm the weight with a reason (at least 3 characters)");
    expect(refused.isHardLimit).toBe(false);
    expect(startGuards({ ...base, weightG: 154_000, concentrationUgPerMl: 1000, weightConfirmReason: "ab" }).errors.weightKg).toBeDefined();
    expect(startGuards({ ...base, weightG: 154_000, concentrationUgPerMl: 1000, weightConfirmReason: "abc" }).errors).toEqual({});
  });
  it("1.5 mg/mL needs a reason; 50 mg/mL is a hard stop that only an override passes", () => {
    expect(Object.keys(startGuards({ ...base, weightG: 70_000, concentrationUgPerMl: 1500 }).errors)).toEqual(["concentrationMgPerMl", "concentrationReason"]);
    expect(startGuards({ ...base, weightG: 70_000, concentrationUgPerMl: 1500, concentrationReason: "pharmacy bag" }).errors).toEqual({});
    const stock = startGuards({ ...base, weightG: 70_000, concentrationUgPerMl: 50_000, concentrationReason: "as labelled" });
    expect([stock.isHardLimit, Object.keys(stock.errors)]).toEqual([true, ["concentrationMgPerMl", "concentrationOverrideReason"]]);
    expect(startGuards({ ...base, weightG: 70_000, concentrationUgPerMl: 50_000, concentrationOverrideReason: "Dr. Okoye" })).toMatchObject({ errors: {}, isHardLimit: false });
    // 10 mg/mL (the other vial strength) is simply not standard: a reason, not an override
    expect(startGuards({ ...base, weightG: 70_000, concentrationUgPerMl: 10_000 }).isHardLimit).toBe(false);
  });
  it("an oral or intranasal protocol pumps nothing: its concentration is not checked (the weight still is)", () => {
    expect(startGuards({ ...base, route: "PO", weightG: 70_000, concentrationUgPerMl: 50_000 })).toEqual({ weight: { status: "OK" }, concentration: null, errors: {}, isHardLimit: false });
    expect(Object.keys(startGuards({ ...base, route: "IN", weightG: 154_000, concentrationUgPerMl: 1500 }).errors)).toEqual(["weightKg", "weightConfirmReason"]);
  });
});
