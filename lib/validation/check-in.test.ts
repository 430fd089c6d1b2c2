import { describe, expect, it } from "vitest";
import { CheckInSchema, IssueCheckInLinkSchema, RevokeCheckInLinkSchema } from "./check-in";
import { ClinicSettingsSchema } from "./clinic";

const good = { painNrs: 4, enjoymentNrs: 5, activityNrs: 6, sideEffects: [{ kind: "NAUSEA_VOMITING", severity: 2 }] };
const ok = (v: unknown) => CheckInSchema.safeParse(v).success;

describe("CheckInSchema (strict)", () => {
  it("accepts the expected fields, with or without a note", () => {
    expect(ok(good)).toBe(true);
    expect(ok({ ...good, note: "Slept well" })).toBe(true);
    expect(ok({ ...good, sideEffects: [] })).toBe(true);
  });
  it.each([
    ["pain -1", { ...good, painNrs: -1 }], ["pain 11", { ...good, painNrs: 11 }], ["pain 4.5", { ...good, painNrs: 4.5 }], ["pain as text", { ...good, painNrs: "4" }],
    ["missing activity", { painNrs: 4, enjoymentNrs: 5, sideEffects: [] }],
    ["severity 0", { ...good, sideEffects: [{ kind: "DIZZINESS", severity: 0 }] }], ["severity 4", { ...good, sideEffects: [{ kind: "DIZZINESS", severity: 4 }] }],
    ["unknown side effect", { ...good, sideEffects: [{ kind: "TELEPATHY", severity: 1 }] }],
    ["a clinical finding a patient is never asked about", { ...good, sideEffects: [{ kind: "LARYNGOSPASM", severity: 1 }] }],
    ["a severity not chosen", { ...good, sideEffects: [{ kind: "DIZZINESS", severity: null }] }],
    ["the same side effect twice", { ...good, sideEffects: [{ kind: "DIZZINESS", severity: 1 }, { kind: "DIZZINESS", severity: 2 }] }],
    ["an extra field", { ...good, seriesId: "x" }], ["an extra field in a side effect", { ...good, sideEffects: [{ kind: "DIZZINESS", severity: 1, at: "now" }] }],
    ["a note of 1001 characters", { ...good, note: "x".repeat(1001) }], ["a control character", { ...good, note: "a\u0000b" }],
  ])("refuses %s", (_what, value) => {
    expect(ok(value)).toBe(false);
  });
  it("bounds 0 and 10 are accepted", () => {
    expect(ok({ ...good, painNrs: 0, enjoymentNrs: 10, activityNrs: 0 })).toBe(true);
  });
});

describe("link schemas", () => {
  it("issue takes an optional email only; revoke takes nothing", () => {
    expect(IssueCheckInLinkSchema.safeParse({}).success).toBe(true);
    expect(IssueCheckInLinkSchema.safeParse({ email: "p@example.test" }).success).toBe(true);
    expect(IssueCheckInLinkSchema.safeParse({ email: "not an address" }).success).toBe(false);
    expect(IssueCheckInLinkSchema.safeParse({ token: "x" }).success).toBe(false);
    expect(RevokeCheckInLinkSchema.safeParse({}).success).toBe(true);
    expect(RevokeCheckInLinkSchema.safeParse({ a: 1 }).success).toBe(false);
  });
});

describe("clinic settings: check-in defaults", () => {
  const base = { name: "X", timezone: "America/New_York", idleSignOutMin: 15, vitalsIntervalMin: 15, sbpHighMmHg: 160, dbpHighMmHg: 100, bpRisePct: 20, hrHighPerMin: 120, hrLowPerMin: 50, spo2LowPct: 92, rrLowPerMin: 10, rrHighPerMin: 24 };
  const valid = (patch: Record<string, unknown>) => ClinicSettingsSchema.safeParse({ ...base, ...patch }).success;
  it("are optional, and validated when given", () => {
    expect(valid({})).toBe(true);
    expect(valid({ phone: "+1 (555) 010-0142", checkInLinkDaysAfterEnd: 30, checkInDaysAfterSession: [1, 3, 7], checkInDayBeforeNext: true })).toBe(true);
    expect(valid({ phone: "" })).toBe(true);
    expect(valid({ phone: "call me maybe" })).toBe(false);
    for (const [days, isValid] of [[0, false], [1, true], [365, true], [366, false]] as const) expect(valid({ checkInLinkDaysAfterEnd: days })).toBe(isValid);
    expect(valid({ checkInDaysAfterSession: [] })).toBe(false);
    expect(valid({ checkInDaysAfterSession: [1, 1] })).toBe(false);
    expect(valid({ checkInDaysAfterSession: [0] })).toBe(false);
  });
  it("the side-effect list: patient-reportable kinds, at least one, each once", () => {
    expect(valid({ checkInSideEffectKinds: ["NAUSEA_VOMITING", "OTHER"] })).toBe(true);
    expect(valid({ checkInSideEffectKinds: [] })).toBe(false);
    expect(valid({ checkInSideEffectKinds: ["OTHER", "OTHER"] })).toBe(false);
    // a clinical finding a patient cannot report from home, and an unknown code
    expect(valid({ checkInSideEffectKinds: ["LARYNGOSPASM"] })).toBe(false);
    expect(valid({ checkInSideEffectKinds: ["NOT_A_KIND"] })).toBe(false);
  });
});
