import { describe, expect, it } from "vitest";
import { classify, type LimitZone, type Limits } from "./limits";

// A rate band like the CRPS multi-day span: soft 100-700 µg/kg/h, hard 1000, possible 0-100000.
const rateLimits: Limits = { absoluteMin: 0, softMin: 100, softMax: 700, hardMax: 1000, absoluteMax: 100_000 };

describe("classify", () => {
  it.each<[number, LimitZone]>([
    [-1, "IMPOSSIBLE"], // one step below absoluteMin 0
    [0, "BELOW_SOFT"], // exactly absoluteMin is possible
    [99, "BELOW_SOFT"], // softMin - 1
    [100, "IN_RANGE"], // exactly softMin (inclusive)
    [101, "IN_RANGE"],
    [699, "IN_RANGE"],
    [700, "IN_RANGE"], // exactly softMax (inclusive)
    [701, "ABOVE_SOFT"], // softMax + 1
    [999, "ABOVE_SOFT"], // hardMax - 1
    [1000, "AT_OR_ABOVE_HARD"], // exactly hardMax: "at or above"
    [1001, "AT_OR_ABOVE_HARD"],
    [100_000, "AT_OR_ABOVE_HARD"], // exactly absoluteMax is possible
    [100_001, "IMPOSSIBLE"], // absoluteMax + 1
    [Number.NaN, "IMPOSSIBLE"],
  ])("%d -> %s", (value, zone) => {
    expect(classify(value, rateLimits)).toBe(zone);
  });

  it.each<[Limits, number, LimitZone]>([
    [{}, 5, "IN_RANGE"], // no limits at all
    [{ softMin: null, softMax: null, hardMax: null }, 1_000_000, "IN_RANGE"], // null = not documented
    [{ softMax: 500 }, 501, "ABOVE_SOFT"],
    [{ softMax: 500 }, 500, "IN_RANGE"],
    [{ hardMax: 1000 }, 999, "IN_RANGE"],
    [{ hardMax: 1000 }, 1000, "AT_OR_ABOVE_HARD"],
    [{ softMin: 315, softMax: 385 }, 314, "BELOW_SOFT"],
    [{ softMin: 315, softMax: 385 }, 315, "IN_RANGE"],
    [{ softMin: 315, softMax: 385 }, 386, "ABOVE_SOFT"],
    // a hard limit at or below the soft max still wins: hard is checked first
    [{ softMax: 1200, hardMax: 1000 }, 1100, "AT_OR_ABOVE_HARD"],
  ])("%j: %d -> %s", (limits, value, zone) => {
    expect(classify(value, limits)).toBe(zone);
  });
});
