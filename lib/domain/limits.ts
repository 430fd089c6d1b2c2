// The one threshold classifier. Every range check in the app (live badge in the form,
// flags on the server, bands on the chart) goes through classify(), so they cannot drift
// apart (STYLE.md; modelled on medplum's reference / critical / absolute intervals).

/**
 * Limits for one quantity, all integers in the value's stored unit (µg/kg/h, µg, mmHg ...).
 * absolute*: physically impossible beyond them (input is rejected, not flagged).
 * soft*: the documented range, inclusive; outside it is allowed, flagged, and needs a reason.
 * hardMax: at or above it needs a physician's override (docs/clinical-brief.md "Reading the ranges as limits": a rate at or above 1 mg/kg/h).
 */
export interface Limits {
  absoluteMin?: number;
  softMin?: number | null;
  softMax?: number | null;
  hardMax?: number | null;
  absoluteMax?: number;
}

export type LimitZone = "IMPOSSIBLE" | "BELOW_SOFT" | "IN_RANGE" | "ABOVE_SOFT" | "AT_OR_ABOVE_HARD";

/**
 * Classifies an integer value. Order matters: impossible first, then the hard limit
 * (inclusive: exactly at hardMax is AT_OR_ABOVE_HARD), then the soft bounds (inclusive:
 * exactly at softMax is IN_RANGE). Integer comparison only, so "exactly at" is exact.
 */
export function classify(value: number, limits: Limits): LimitZone {
  if (Number.isNaN(value)) return "IMPOSSIBLE";
  if (limits.absoluteMin !== undefined && value < limits.absoluteMin) return "IMPOSSIBLE";
  if (limits.absoluteMax !== undefined && value > limits.absoluteMax) return "IMPOSSIBLE";
  if (limits.hardMax !== undefined && limits.hardMax !== null && value >= limits.hardMax) {
    return "AT_OR_ABOVE_HARD";
  }
  if (limits.softMax !== undefined && limits.softMax !== null && value > limits.softMax) {
    return "ABOVE_SOFT";
  }
  if (limits.softMin !== undefined && limits.softMin !== null && value < limits.softMin) {
    return "BELOW_SOFT";
  }
  return "IN_RANGE";
}
