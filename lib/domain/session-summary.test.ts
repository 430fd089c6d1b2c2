import { describe, expect, it } from "vitest";
import { buildSessionSummary, SUMMARY_COLUMNS, type SummaryInput } from "./session-summary";

const T0 = Date.UTC(2026, 10, 2, 14, 0); // 2026-11-02 14:00 UTC = 09:00 in New York (UTC-5)
const MIN = 60_000;

function input(over: Partial<SummaryInput> = {}): SummaryInput {
  return {
    clinicName: "Demo Pain Clinic", timeZone: "America/New_York", mrn: "DPC-1", patientName: "Alvarez, Maria", birthDate: "1979-03-14",
    protocolName: "CRPS outpatient 0.35 mg/kg/h", protocolVersion: 2, status: "SIGNED",
    openedAtMs: T0, completedAtMs: T0 + 260 * MIN, signedAtMs: T0 + 270 * MIN, weightG: 70000,
    nurseName: "Nora", physicianName: "Dr. O", signedByName: "Nora",
    doseEvents: [
      { type: "START", atMs: T0 + 5 * MIN, rateUgPerKgPerH: 350 },
      { type: "RATE_CHANGE", atMs: T0 + 125 * MIN, rateUgPerKgPerH: 450 },
      { type: "STOP", atMs: T0 + 245 * MIN },
    ],
    vitals: [
      { systolicMmHg: 124, diastolicMmHg: 78, heartRatePerMin: 72, spo2Pct: 98 },
      { systolicMmHg: 151, diastolicMmHg: 88, heartRatePerMin: 90, spo2Pct: 95 },
      { systolicMmHg: 140, diastolicMmHg: 91, heartRatePerMin: 80, spo2Pct: 97 },
    ],
    pain: [
      { atMs: T0 + 2 * MIN, score: 8, scale: "NRS", phase: "PRE" },
      { atMs: T0 + 250 * MIN, score: 3, scale: "NRS", phase: "POST" },
      { atMs: T0 + 255 * MIN, score: 2, scale: "NRS", phase: "POST" },
    ],
    sideEffects: [{ kind: "NAUSEA_VOMITING", severity: 1 }, { kind: "NAUSEA_VOMITING", severity: 2 }, { kind: "DIZZINESS", severity: 1 }],
    flags: [{ acknowledged: true }, { acknowledged: false }, { acknowledged: true }],
    ...over,
  };
}

describe("buildSessionSummary", () => {
  it("summarises a signed session (hand-computed)", () => {
    const s = buildSessionSummary(input(), T0 + 1000 * MIN);
    // 0.35 mg/kg/h × 70 kg × 2 h = 49 mg; 0.45 × 70 × 2 h = 63 mg; total 112 mg = 1.600 mg/kg
    expect(s.totalMg).toBe("112.00");
    expect(s.totalMgPerKg).toBe("1.600");
    expect(s.peakRateMgPerKgPerH).toBe("0.450");
    // time-weighted mean: (350 × 120 + 450 × 120) / 240 = 400 µg/kg/h
    expect(s.meanRateMgPerKgPerH).toBe("0.400");
    expect(s.start).toBe("2026-11-02T09:05:00-05:00");
    expect(s.end).toBe("2026-11-02T13:05:00-05:00");
    expect(s.sessionDate).toBe("2026-11-02");
    expect(s.durationMin).toBe(240);
    expect(s.weightKg).toBe("70.0");
    // pre 8 (last PRE), post 3 (first POST): (8 - 3) / 8 = 62.5 %
    expect([s.preScore, s.postScore, s.reliefPct, s.painScale]).toEqual([8, 3, 62.5, "NRS"]);
    expect([s.worstSystolicMmHg, s.worstDiastolicMmHg, s.worstHeartRatePerMin, s.lowestSpo2Pct]).toEqual([151, 91, 90, 95]);
    expect(s.sideEffects).toBe("NAUSEA_VOMITING:2; DIZZINESS:1");
    expect(s.maxSideEffectSeverity).toBe(2);
    expect([s.flagCount, s.openFlags, s.acknowledgedFlags]).toEqual([3, 1, 2]);
    expect(s.signedAt).toBe("2026-11-02T13:30:00-05:00");
  });

  it("a running session has no end and integrates up to now", () => {
    const s = buildSessionSummary(input({ status: "IN_PROGRESS", completedAtMs: null, signedAtMs: null, signedByName: null, doseEvents: [{ type: "START", atMs: T0, rateUgPerKgPerH: 300 }] }), T0 + 30 * MIN);
    // 0.3 mg/kg/h × 70 kg × 0.5 h = 10.5 mg
    expect(s.totalMg).toBe("10.50");
    expect(s.end).toBeNull();
    expect(s.durationMin).toBeNull();
    expect(s.signedAt).toBeNull();
  });

  it("a resolved flag is not open; an acknowledged one that resolved stays counted as acknowledged (decision 0009)", () => {
    const s = buildSessionSummary(input({ flags: [{ acknowledged: false, resolved: true }, { acknowledged: true, resolved: true }, { acknowledged: false }] }), T0);
    // 3 flags: 1 acknowledged (the resolved one keeps it), 1 open; the unacknowledged resolved one is neither
    expect([s.flagCount, s.acknowledgedFlags, s.openFlags]).toEqual([3, 1, 1]);
  });

  it("with no scores, vitals or side effects the fields are empty, not zero", () => {
    const s = buildSessionSummary(input({ pain: [], vitals: [], sideEffects: [], flags: [] }), T0);
    expect([s.preScore, s.postScore, s.reliefPct, s.painScale]).toEqual([null, null, null, null]);
    expect([s.worstSystolicMmHg, s.lowestSpo2Pct, s.maxSideEffectSeverity]).toEqual([null, null, null]);
    expect(s.sideEffects).toBe("");
  });

  it("pre is the last PRE score in time, post the first POST score in time, whatever the input order; a tie keeps the later (pre) or earlier (post) entry", () => {
    const pain: SummaryInput["pain"] = [
      { atMs: T0 + 260 * MIN, score: 1, scale: "NRS", phase: "POST" },
      { atMs: T0 + 1 * MIN, score: 9, scale: "NRS", phase: "PRE" },
      { atMs: T0 + 250 * MIN, score: 4, scale: "NRS", phase: "POST" },
      { atMs: T0 + 3 * MIN, score: 7, scale: "NRS", phase: "PRE" },
      { atMs: T0 + 100 * MIN, score: 5, scale: "NRS", phase: "INTRA" },
      { atMs: T0 + 3 * MIN, score: 6, scale: "NRS", phase: "PRE" }, // same time as the 7, entered later: it is the last
      { atMs: T0 + 250 * MIN, score: 2, scale: "NRS", phase: "POST" }, // same time as the 4, entered later: the 4 stays first
    ];
    const s = buildSessionSummary(input({ pain }), T0);
    expect([s.preScore, s.postScore, s.reliefPct]).toEqual([6, 4, 33.3]);
  });

  it("worst vitals are the extremes over every reading, in any order", () => {
    const vitals = [
      { systolicMmHg: 130, diastolicMmHg: 101, heartRatePerMin: 60, spo2Pct: 99 },
      { systolicMmHg: 171, diastolicMmHg: 70, heartRatePerMin: 121, spo2Pct: 91 },
      { systolicMmHg: 99, diastolicMmHg: 60, heartRatePerMin: 58, spo2Pct: 100 },
    ];
    const s = buildSessionSummary(input({ vitals }), T0);
    expect([s.worstSystolicMmHg, s.worstDiastolicMmHg, s.worstHeartRatePerMin, s.lowestSpo2Pct]).toEqual([171, 101, 121, 91]);
  });

  it("keeps the VAS scale with its scores", () => {
    const s = buildSessionSummary(input({ pain: [{ atMs: T0, score: 80, scale: "VAS", phase: "PRE" }, { atMs: T0 + 250 * MIN, score: 20, scale: "VAS", phase: "POST" }] }), T0);
    expect([s.painScale, s.preScore, s.postScore, s.reliefPct]).toEqual(["VAS", 80, 20, 75]);
  });

  it("has one column per summary field", () => {
    const keys = Object.keys(buildSessionSummary(input(), T0)).sort();
    expect(SUMMARY_COLUMNS.map((c) => c.key).sort()).toEqual(keys);
  });
});

describe("late entries in the summary (decision 0009)", () => {
  it("counts the entries charted strictly more than 10 minutes after their time and carries the late-documentation reason", () => {
    const t = Date.UTC(2026, 2, 2, 14, 0);
    const s = buildSessionSummary({
      clinicName: "C", timeZone: "UTC", mrn: "M", patientName: "P", birthDate: "1970-01-01", protocolName: "X", protocolVersion: 1,
      status: "IN_PROGRESS", openedAtMs: t, completedAtMs: null, signedAtMs: null, weightG: 70_000, nurseName: "N", physicianName: "D",
      signedByName: null, doseEvents: [], vitals: [], pain: [], sideEffects: [], flags: [],
      // on time, exactly 10 min (on time), 10 min 1 s (late), 45 min (late)
      chartedTimes: [{ atMs: t, enteredAtMs: t }, { atMs: t, enteredAtMs: t + 600_000 }, { atMs: t, enteredAtMs: t + 601_000 }, { atMs: t, enteredAtMs: t + 45 * 60_000 }],
      lateEntryReason: "paper chart during the outage",
    }, t + 3_600_000);
    expect([s.lateEntries, s.documentedLate]).toEqual([2, "paper chart during the outage"]);
    expect(s.chartedOffline).toBe(0);
  });

  it("counts the entries charted offline (queuedAt set; decision 0017), and none without it", () => {
    const t = Date.UTC(2026, 2, 2, 14, 0);
    const base = {
      clinicName: "C", timeZone: "UTC", mrn: "M", patientName: "P", birthDate: "1970-01-01", protocolName: "X", protocolVersion: 1,
      status: "IN_PROGRESS" as const, openedAtMs: t, completedAtMs: null, signedAtMs: null, weightG: 70_000, nurseName: "N", physicianName: "D",
      signedByName: null, doseEvents: [], vitals: [], pain: [], sideEffects: [], flags: [],
    };
    const s = buildSessionSummary({ ...base, chartedTimes: [{ atMs: t, enteredAtMs: t + 60_000, queuedAtMs: t }, { atMs: t, enteredAtMs: t, queuedAtMs: null }, { atMs: t, enteredAtMs: t + 40 * 60_000, queuedAtMs: t + 1 }] }, t + 3_600_000);
    expect(s.chartedOffline).toBe(2);
    expect(buildSessionSummary(base, t).chartedOffline).toBe(0);
  });
});
