import { describe, expect, it } from "vitest";
import { DEFAULT_VITALS_THRESHOLDS, type ProtocolLimits } from "@/lib/domain/protocol";
import { inputFromLimits, limitsFromInput, NewProtocolVersionSchema, protocolLimitErrors } from "./protocol";

// The drug library as an administrator types it, and the route rule on edit
// (docs/clinical-brief.md "Safety guards in the style of smart-pump drug libraries [defaults unless marked]").
const base = { doseBasis: "RATE_PER_KG", hardMaxRateMgPerKgPerH: 1, hardMaxBolusMgPerKg: 1, sourceDocument: "doc", sourceWording: "wording" };

describe("drug-library settings of a protocol version", () => {
  it("converts what is typed to stored units: '1, 2.5' mg/mL -> [1000, 2500] µg/mL; 0.1 mL/h -> 10 hundredths", () => {
    const input = NewProtocolVersionSchema.parse({ ...base, standardConcentrationsMgPerMl: "1, 2.5", pumpStepMlPerH: 0.1, weightChangeConfirmPct: 15, lowBaselinePainNrs: 3 });
    const l = limitsFromInput(input as never, DEFAULT_VITALS_THRESHOLDS);
    expect([l.standardConcentrationsUgPerMl, l.pumpStepCentiMlPerH, l.weightChangeConfirmPct, l.lowBaselinePainNrs, l.poundsTolerancePct]).toEqual([[1000, 2500], 10, 15, 3, 3]);
    expect(protocolLimitErrors(l)).toEqual({});
  });
  it("left out, each setting takes its default", () => {
    const l = limitsFromInput(NewProtocolVersionSchema.parse(base) as never, DEFAULT_VITALS_THRESHOLDS);
    expect([l.standardConcentrationsUgPerMl, l.pumpStepCentiMlPerH, l.pumpRoundingTolerancePct, l.bolusWindowMin, l.vitalsAfterIncreaseMin]).toEqual([[1000, 2000], 10, 5, 60, 5]);
  });
  it("refuses a stock vial as a standard concentration, a list that is not numbers, and out-of-range settings", () => {
    const stock = limitsFromInput(NewProtocolVersionSchema.parse({ ...base, standardConcentrationsMgPerMl: "1, 50" }) as never, DEFAULT_VITALS_THRESHOLDS);
    expect(protocolLimitErrors(stock).standardConcentrationsMgPerMl).toBe("must not list 50 or 100 mg/mL: those are undiluted stock vials");
    expect(NewProtocolVersionSchema.safeParse({ ...base, standardConcentrationsMgPerMl: "1, two" }).success).toBe(false);
    expect(NewProtocolVersionSchema.safeParse({ ...base, poundsTolerancePct: 31 }).success).toBe(false);
    expect(NewProtocolVersionSchema.safeParse({ ...base, poundsTolerancePct: 30 }).success).toBe(true);
    expect(NewProtocolVersionSchema.safeParse({ ...base, pumpStepMlPerH: 0.001 }).success).toBe(false);
  });
  it("round-trips through the form's strings", () => {
    const l = limitsFromInput(NewProtocolVersionSchema.parse({ ...base, standardConcentrationsMgPerMl: "0.5, 1.25" }) as never, DEFAULT_VITALS_THRESHOLDS);
    const text = inputFromLimits(l);
    expect([text.standardConcentrationsMgPerMl, text.pumpStepMlPerH]).toEqual(["0.5, 1.25", "0.10"]);
  });
});

describe("limits are validated by the protocol's route", () => {
  // the oral protocol documents 1 mg/kg per day as one dose and holds its hard limit at 2 mg/kg (protocol-catalog.ts)
  const oral = { ...limitsFromInput(NewProtocolVersionSchema.parse({ ...base, hardMaxBolusMgPerKg: 2 }) as never, DEFAULT_VITALS_THRESHOLDS) } as ProtocolLimits;
  it("an IV protocol may not hold a bolus hard limit above 1.000 mg/kg", () => {
    expect(protocolLimitErrors(oral, "IV").hardMaxBolusMgPerKg).toBe("must not be above 1.000 mg/kg, the edge of the anesthetic range");
  });
  it("an oral protocol may", () => {
    expect(protocolLimitErrors(oral, "PO")).toEqual({});
  });
});
