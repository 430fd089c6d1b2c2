import { describe, expect, it } from "vitest";
import {
  deciCFromC,
  formatC,
  formatKg,
  formatMg,
  formatMgPerKg,
  formatMgPerKgPerH,
  formatMgPerMl,
  formatMlPerH,
  gFromKg,
  gFromLb,
  kgFromLb,
  parseDecimalToScaledInt,
  pumpRateMlPerH,
  rateUgPerHFromPerKg,
  rateUgPerKgPerHFromMgPerKgPerH,
  rateUgPerKgPerHFromMlPerH,
  roundDivBig,
  ugFromMg,
  ugPerMlFromMgPerMl,
} from "./units";

describe("parseDecimalToScaledInt", () => {
  it.each<[string | number, number, number | null]>([
    ["0.35", 3, 350],
    [0.35, 3, 350],
    [0.1, 3, 100], // float 0.1 read through "0.1", not 0.1000000000000000055
    [0.7, 3, 700], // 0.7*1000 = 700.0000000000001 in floats; exact here
    ["1.2345", 3, null], // 4 fractional digits > 3
    ["1.234", 3, 1234], // exactly 3 digits: accepted
    ["1.2340", 3, 1234], // trailing zero is not a significant digit
    ["-0.1", 3, -100],
    ["+2", 3, 2000],
    [" 0.5 ", 3, 500], // pasted with spaces
    [".5", 3, 500],
    ["5.", 3, 5000],
    ["1e-3", 3, 1], // 0.001
    [1e-4, 3, null], // String(1e-4) = "0.0001": 4 digits
    ["abc", 3, null],
    ["", 3, null], // an empty field is never a 0 dose
    [".", 3, null],
    ["1,5", 3, null],
    ["1.2.3", 3, null],
    [Number.NaN, 3, null],
    [Number.POSITIVE_INFINITY, 3, null],
    ["-0", 3, 0],
    ["9007199254740.991", 3, 9007199254740991], // exactly MAX_SAFE_INTEGER
    ["9007199254740.992", 3, null], // one step above
    ["72.5", 1, 725],
    ["72.55", 1, null],
  ])("(%j, %i) -> %j", (text, decimals, expected) => {
    expect(parseDecimalToScaledInt(text, decimals)).toBe(expected);
  });

  it("never returns -0", () => {
    expect(Object.is(parseDecimalToScaledInt("-0.000", 3), 0)).toBe(true);
  });
});

describe("input conversions", () => {
  it.each<[string, (x: string | number) => number | null, string | number, number | null]>([
    ["rate", rateUgPerKgPerHFromMgPerKgPerH, "0.35", 350],
    ["rate at 1 µg/kg/h step", rateUgPerKgPerHFromMgPerKgPerH, "0.001", 1],
    ["rate below step", rateUgPerKgPerHFromMgPerKgPerH, "0.0005", null],
    ["rate 1 mg/kg/h", rateUgPerKgPerHFromMgPerKgPerH, 1, 1000],
    ["dose", ugFromMg, "24.5", 24500],
    ["dose 80 mg", ugFromMg, 80, 80000],
    ["dose too precise", ugFromMg, "0.0001", null],
    ["weight", gFromKg, "72.5", 72500], // 725 tenths × 100 g
    ["weight too precise", gFromKg, "72.55", null],
    ["weight number", gFromKg, 0.1, 100],
    ["concentration 1", ugPerMlFromMgPerMl, "1", 1000], // 100 hundredths × 10
    ["concentration 0.5", ugPerMlFromMgPerMl, "0.5", 500],
    ["concentration 0.01", ugPerMlFromMgPerMl, "0.01", 10],
    ["concentration too precise", ugPerMlFromMgPerMl, "0.005", null],
    ["temperature", deciCFromC, "37.2", 372],
    ["temperature too precise", deciCFromC, "37.25", null],
  ])("%s: %j -> %j", (_label, convert, input, expected) => {
    expect(convert(input)).toBe(expected);
  });
});

describe("pounds", () => {
  it.each<[number, number, number]>([
    // 160 lb × 0.45359237 = 72.5747792 kg -> 72.6 kg
    [160, 72.6, 72600],
    // 1 lb = 0.45359237 -> 0.5 kg
    [1, 0.5, 500],
    // 0.1 lb = 0.045359237 -> 0.0 kg
    [0.1, 0, 0],
    // 110.231 lb × 0.45359237 = 49.8951607 + 0.1047798 = 49.99994... kg -> 50.0
    [110.231, 50, 50000],
    // 0.11023 lb = 0.04999949... kg -> 0.0 ; 0.110232 lb = 0.0500000... kg -> 0.1 (half up)
    [0.11023, 0, 0],
    [0.110232, 0.1, 100],
  ])("%d lb -> %d kg, %d g", (lb, kg, g) => {
    expect(kgFromLb(lb)).toBe(kg);
    expect(gFromLb(lb)).toBe(g);
  });

  it("is NaN for a non-finite input", () => {
    expect(kgFromLb(Number.NaN)).toBeNaN();
    expect(gFromLb(Number.POSITIVE_INFINITY)).toBeNaN();
  });
});

describe("roundDivBig (half away from zero)", () => {
  it.each<[bigint, bigint, bigint]>([
    [5n, 10n, 1n], // 0.5 -> 1
    [4n, 10n, 0n], // 0.4 -> 0
    [15n, 10n, 2n], // 1.5 -> 2
    [14n, 10n, 1n],
    [-5n, 10n, -1n], // -0.5 -> -1
    [-4n, 10n, 0n],
    [5n, -10n, -1n],
  ])("%d / %d -> %d", (n, d, expected) => {
    expect(roundDivBig(n, d)).toBe(expected);
  });
  it("throws on zero", () => {
    expect(() => roundDivBig(1n, 0n)).toThrow(RangeError);
  });
});

describe("rateUgPerHFromPerKg", () => {
  it.each<[number, number, number]>([
    [350, 72500, 25375], // 350 × 72.5 = 25375 µg/h
    [350, 72600, 25410], // 350 × 72.6 = 25410
    [1, 500, 1], // 0.5 µg/h -> 1 (half up)
    [1, 400, 0], // 0.4 µg/h -> 0
    [1, 1500, 2], // 1.5 -> 2
  ])("%d µg/kg/h × %d g -> %d µg/h", (rate, weight, expected) => {
    expect(rateUgPerHFromPerKg(rate, weight)).toBe(expected);
  });
  it("rejects a non-integer", () => {
    expect(() => rateUgPerHFromPerKg(0.35, 72500)).toThrow(RangeError);
  });
});

describe("pumpRateMlPerH", () => {
  it.each<[number, number, number, number]>([
    // 0.35 mg/kg/h × 72.5 kg / 1 mg/mL = 25.375 mL/h -> 25.4
    [350, 72500, 1000, 25.4],
    // 0.35 × 70 / 1 = 24.5 exactly
    [350, 70000, 1000, 24.5],
    // 0.1 × 70 / 10 = 0.7
    [100, 70000, 10000, 0.7],
    // half-up boundary: 0.001 × 50 / 1 = 0.05 mL/h -> 0.1 ; 0.001 × 49.9 / 1 = 0.0499 -> 0.0
    [1, 50000, 1000, 0.1],
    [1, 49900, 1000, 0],
    // 0.5 mg/kg/h × 80 kg / 0.5 mg/mL = 80 mL/h
    [500, 80000, 500, 80],
  ])("%d µg/kg/h, %d g, %d µg/mL -> %d mL/h", (rate, weight, conc, expected) => {
    expect(pumpRateMlPerH(rate, weight, conc)).toBe(expected);
  });
  it("rejects a zero concentration", () => {
    expect(() => pumpRateMlPerH(350, 72500, 0)).toThrow(RangeError);
  });
});

describe("rateUgPerKgPerHFromMlPerH", () => {
  it.each<[number, number, number, number]>([
    // 24.5 mL/h × 1000 µg/mL × 1000 / 70000 g = 350 µg/kg/h
    [24.5, 70000, 1000, 350],
    // 25.4 × 1000 × 1000 / 72500 = 350.3448... -> 350
    [25.4, 72500, 1000, 350],
    // 0.7 × 10000 × 1000 / 70000 = 100
    [0.7, 70000, 10000, 100],
    // 0.1 × 1000 × 1000 / 200000 = 0.5 -> 1 (half up); / 200100 = 0.49975 -> 0
    [0.1, 200000, 1000, 1],
    [0.1, 200100, 1000, 0],
  ])("%d mL/h, %d g, %d µg/mL -> %d µg/kg/h", (ml, weight, conc, expected) => {
    expect(rateUgPerKgPerHFromMlPerH(ml, weight, conc)).toBe(expected);
  });
  it("rejects a zero weight", () => {
    expect(() => rateUgPerKgPerHFromMlPerH(1, 0, 1000)).toThrow(RangeError);
  });
});

describe("formatters", () => {
  it.each<[string, (x: number) => string, number, string]>([
    ["rate", formatMgPerKgPerH, 350, "0.350"],
    ["rate 1", formatMgPerKgPerH, 1, "0.001"],
    ["rate 1000", formatMgPerKgPerH, 1000, "1.000"],
    ["rate negative", formatMgPerKgPerH, -50, "-0.050"],
    ["rate 0", formatMgPerKgPerH, 0, "0.000"],
    ["mg", formatMg, 24500, "24.50"],
    ["mg half up", formatMg, 24505, "24.51"], // 2450.5 hundredths -> 2451
    ["mg just below half", formatMg, 24504, "24.50"],
    ["mg negative half", formatMg, -24505, "-24.51"],
    ["mg -0.004 is 0", formatMg, -4, "0.00"], // never "-0.00"
    ["mg 1.005 (toFixed says 1.00)", formatMg, 1005, "1.01"],
    ["mg fractional µg", formatMg, 1004.9, "1.00"],
    ["mg/kg", formatMgPerKg, 500, "0.500"],
    ["kg", formatKg, 72500, "72.5"],
    ["kg half up", formatKg, 72550, "72.6"],
    ["kg below half", formatKg, 72549, "72.5"],
    ["mg/mL", formatMgPerMl, 1000, "1.00"],
    ["mg/mL half up", formatMgPerMl, 505, "0.51"],
    ["mL/h", formatMlPerH, 25.4, "25.4"],
    ["mL/h 0.05", formatMlPerH, 0.05, "0.1"], // exact 0.05 rounds half up, not down via binary
    ["mL/h 0.04", formatMlPerH, 0.04, "0.0"],
    ["mL/h integer", formatMlPerH, 80, "80.0"],
    ["°C", formatC, 372, "37.2"],
    ["°C negative", formatC, -5, "-0.5"],
    ["non-finite", formatMg, Number.NaN, "—"],
  ])("%s: %d -> %s", (_label, format, input, expected) => {
    expect(format(input)).toBe(expected);
  });
});
