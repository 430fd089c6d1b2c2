// The bedside flow through the real services against PostgreSQL: start, chart, flag,
// correct, complete, sign. Every expected value is hand-computed in a comment.
import { describe, expect, it } from "vitest";
import { createPatient } from "@/prisma/seed/factories";
import { orderSeries } from "@/lib/server/series";
import {
  acknowledgeFlags,
  addAddendum,
  effectiveRows,
  getSessionChart,
  retractEntry,
  signSession,
} from "@/lib/server/sessions";
import { OrderSeriesSchema } from "@/lib/validation/series";
import { VitalsSchema } from "@/lib/validation/session";
import { chartVitals } from "@/lib/server/sessions";
import { clinicPerFile, db, tableCounts } from "@/test/helpers";
import {
  T0, at, codes, complete, dose, expectAppError, iso, nextMrn, openSession, pain, sideEffect, start, vitals,
} from "@/test/charting";
import { snapshotTables } from "@/test/db-snapshot";

const IV = "IV infusion (routes table)"; // soft 0.100-0.500 mg/kg/h, hard 1.000, no duration/cumulative limits
const NEURO = "Chronic neuropathic pain 0.1-0.3 mg/kg/h"; // minIntervalHours 20, 120-240 min, ≤ 1.2 mg/kg

const file = clinicPerFile();

/** START 0.2 mg/kg/h at base+1, STOP at base+131 (130 min), POST pain, complete at base+133. */
async function runAndComplete(sessionId: string, base: Date) {
  await dose(file.nurse, sessionId, at(1, base), { type: "START", rateMgPerKgPerH: 0.2 });
  await dose(file.nurse, sessionId, at(131, base), { type: "STOP" });
  await pain(file.nurse, sessionId, at(132, base), { score: 3, phase: "POST" });
  return complete(file.nurse, sessionId, at(133, base));
}

describe("starting a session", () => {
  it("stores weight and concentration as integers and records the weighing", async () => {
    const { patient, session, startFlags } = await openSession(file.c, IV);
    // 70.4 kg -> 70 400 g; 1 mg/mL -> 1 000 µg/mL
    expect(session).toMatchObject({ sequence: 1, status: "IN_PROGRESS", weightG: 70400, concentrationUgPerMl: 1000, openedAt: T0.toISOString() });
    expect(startFlags).toEqual([]);
    const row = await db.infusionSession.findUniqueOrThrow({ where: { id: session.id } });
    expect([row.weightG, row.concentrationUgPerMl, row.rowVersion, row.nurseId]).toEqual([70400, 1000, 0, file.nurse.userId]);
    // the patient's current weight follows (70 kg at registration -> 70.4 kg) and the weighing is kept
    expect((await db.patient.findUniqueOrThrow({ where: { id: patient.id } })).weightG).toBe(70400);
    const weights = await db.patientWeight.findMany({ where: { patientId: patient.id, sessionId: session.id } });
    expect(weights.map((w) => w.weightG)).toEqual([70400]);
  });

  it("refuses a second session while one is in progress on the series (CONFLICT, nothing stored)", async () => {
    const { series } = await openSession(file.c, IV);
    const before = await snapshotTables();
    await expectAppError(start(file.nurse, series.id, at(5)), "CONFLICT");
    expect(await snapshotTables()).toEqual(before);
  });
});

describe("dose events and rate limits", () => {
  it("charts baseline vitals, PRE pain, an in-range START and a flagged RATE_CHANGE above range", async () => {
    const { session } = await openSession(file.c, IV);
    const base = await vitals(file.nurse, session.id, at(2));
    expect(base.flags).toEqual([]);
    expect(base.vitals.isBaseline).toBe(true); // the first set of a session is its baseline
    const pre = await pain(file.nurse, session.id, at(3), { score: 7, phase: "PRE" });
    expect(pre.painScore).toMatchObject({ score: 7, phase: "PRE", scale: "NRS" });

    const started = await dose(file.nurse, session.id, at(5), { type: "START", rateMgPerKgPerH: 0.3 });
    expect(started.flags).toEqual([]); // 300 µg/kg/h within 100-500
    expect(started.doseEvent).toMatchObject({ type: "START", rateUgPerKgPerH: 300, bolusUg: null });

    const up = await dose(file.nurse, session.id, at(10), { type: "RATE_CHANGE", rateMgPerKgPerH: 0.6, reason: "pain 7/10 persists" });
    // 600 µg/kg/h > soft max 500: stored, flagged SOFT
    expect(up.doseEvent.rateUgPerKgPerH).toBe(600);
    expect(up.flags).toHaveLength(1);
    expect(up.flags[0]).toMatchObject({
      code: "RATE_ABOVE_RANGE", severity: "SOFT", valueText: "0.600 mg/kg/h", limitText: "≤ 0.500 mg/kg/h",
      reason: "pain 7/10 persists", sourceType: "DoseEvent", sourceId: up.doseEvent.id, acknowledgedAt: null,
    });
    const stored = await db.flag.findMany({ where: { sessionId: session.id } });
    expect(stored.map((f) => [f.code, f.severity, f.sourceId])).toEqual([["RATE_ABOVE_RANGE", "SOFT", up.doseEvent.id]]);
    expect(await db.doseEvent.count({ where: { sessionId: session.id } })).toBe(2);
  });

  it("0.999 mg/kg/h is only above the documented range; 1.000 without an override is HARD_LIMIT and stores nothing", async () => {
    const { session } = await openSession(file.c, IV);
    await dose(file.nurse, session.id, at(1), { type: "START", rateMgPerKgPerH: 0.3 });
    const below = await dose(file.nurse, session.id, at(5), { type: "RATE_CHANGE", rateMgPerKgPerH: 0.999 });
    expect(codes(below.flags)).toEqual(["RATE_ABOVE_RANGE"]); // 999 < 1000: not anesthetic

    const before = await snapshotTables();
    const err = await expectAppError(dose(file.nurse, session.id, at(10), { type: "RATE_CHANGE", rateMgPerKgPerH: 1 }), "HARD_LIMIT");
    expect(err.fields).toEqual({ overrideReason: "required to pass a hard limit" });
    expect(await snapshotTables()).toEqual(before); // no dose row, no flag, no audit row

    // an override reason of fewer than 3 characters is no override
    await expectAppError(dose(file.nurse, session.id, at(10), { type: "RATE_CHANGE", rateMgPerKgPerH: 1, overrideReason: "ok" }), "HARD_LIMIT");
    expect(await snapshotTables()).toEqual(before);
  });

  it("1.000 mg/kg/h with an override stores the row and one HARD DOSE_ANESTHETIC_RANGE flag", async () => {
    const { session } = await openSession(file.c, IV);
    await dose(file.nurse, session.id, at(1), { type: "START", rateMgPerKgPerH: 0.3 });
    const before = await tableCounts();
    const r = await dose(file.nurse, session.id, at(5), { type: "RATE_CHANGE", rateMgPerKgPerH: 1, overrideReason: "Dr on call approved" });
    expect(r.doseEvent).toMatchObject({ rateUgPerKgPerH: 1000, overrideReason: "Dr on call approved" });
    // the anesthetic flag alone: no RATE_ABOVE_RANGE beside a HARD one, no repeat RATE_ABOVE_HARD_LIMIT at the default hard limit
    expect(r.flags).toHaveLength(1);
    expect(r.flags[0]).toMatchObject({
      code: "DOSE_ANESTHETIC_RANGE", severity: "HARD", valueText: "1.000 mg/kg/h", limitText: "< 1.000 mg/kg/h", reason: "Dr on call approved",
    });
    const after = await tableCounts();
    // 1 dose row, 1 flag, 2 audit rows (dose.chart + flag.raise)
    expect({ d: after.doseEvents - before.doseEvents, f: after.flags - before.flags, a: after.audit - before.audit }).toEqual({ d: 1, f: 1, a: 2 });
  });

  it("totals from getSessionChart match a hand-computed timeline with a pause and a bolus", async () => {
    const { session } = await openSession(file.c, IV);
    const s = session.id;
    for (const [m, raw] of [
      [5, { type: "START", rateMgPerKgPerH: 0.2 }],
      [35, { type: "RATE_CHANGE", rateMgPerKgPerH: 0.4 }],
      [50, { type: "PAUSE" }],
      [60, { type: "RESUME" }],
      [65, { type: "BOLUS", bolusMg: 5 }],
      [95, { type: "STOP" }],
    ] as const) {
      const r = await dose(file.nurse, s, at(m), raw);
      // all within 0.1-0.5 mg/kg/h; 5 mg = 0.071 mg/kg, far below 1 mg/kg: no dose flag (no vitals are
      // charted here, so the timeline engine raises BASELINE_VITALS_MISSING and VITALS_OVERDUE: decision 0009)
      expect(r.flags.filter((f) => f.code !== "BASELINE_VITALS_MISSING" && f.code !== "VITALS_OVERDUE")).toEqual([]);
    }
    const chart = await getSessionChart({ actor: file.nurse, sessionId: s, now: at(100) });
    // weight 70.4 kg. Running segments:
    //   T+5..T+35   0.2 mg/kg/h × 70.4 kg × 0.5 h    =  7.040 mg
    //   T+35..T+50  0.4 mg/kg/h × 70.4 kg × 0.25 h   =  7.040 mg
    //   (paused T+50..T+60)
    //   T+60..T+95  0.4 mg/kg/h × 70.4 kg × 35/60 h  = 16.4266… mg
    //   infusion = 30.50666… mg -> 30 507 µg (rounded once); + bolus 5 000 µg = 35 507 µg
    //   per kg: 35 507 000 / 70 400 = 504.36 -> 504 µg/kg = 0.504 mg/kg
    //   duration: first START T+5 to STOP T+95 = 90 min (pause included); running 30 + 15 + 35 = 80 min
    //   mean rate: (200×30 + 400×15 + 400×35) / 80 = 26 000 / 80 = 325 µg/kg/h
    expect(chart.totals).toMatchObject({
      totalUg: 35507, totalMg: 35.507, totalUgPerKg: 504, totalMgPerKg: 0.504,
      peakRateUgPerKgPerH: 400, peakRateMgPerKgPerH: 0.4, meanRateUgPerKgPerH: 325,
      durationMin: 90, runningMin: 80, infusionState: "STOPPED", currentRateUgPerKgPerH: 0,
    });
  });
});

describe("vitals and side-effect flags", () => {
  it("SBP 160 (at the threshold) raises SBP_HIGH, 159 does not; SpO2 91 raises SPO2_LOW, 92 does not", async () => {
    const { session } = await openSession(file.c, IV);
    // baseline 140: a 20% rise would be 168, so 159/160 test the absolute threshold alone
    expect((await vitals(file.nurse, session.id, at(1), { systolicMmHg: 140, diastolicMmHg: 85 })).flags).toEqual([]);
    const sbp160 = await vitals(file.nurse, session.id, at(5), { systolicMmHg: 160, diastolicMmHg: 85 });
    expect(sbp160.flags.map((f) => [f.code, f.severity, f.valueText, f.limitText])).toEqual([["SBP_HIGH", "SOFT", "SBP 160 mmHg", "< 160 mmHg"]]);
    expect((await vitals(file.nurse, session.id, at(10), { systolicMmHg: 159, diastolicMmHg: 85 })).flags).toEqual([]);
    const spo91 = await vitals(file.nurse, session.id, at(15), { systolicMmHg: 140, diastolicMmHg: 85, spo2Pct: 91 });
    expect(spo91.flags.map((f) => [f.code, f.valueText, f.limitText])).toEqual([["SPO2_LOW", "SpO2 91%", "≥ 92%"]]);
    expect((await vitals(file.nurse, session.id, at(20), { systolicMmHg: 140, diastolicMmHg: 85, spo2Pct: 92 })).flags).toEqual([]);
    // the stored flags are exactly the two raised, each pointing at its vitals row
    const stored = await db.flag.findMany({ where: { sessionId: session.id }, orderBy: { raisedAt: "asc" } });
    expect(stored.map((f) => [f.code, f.sourceType, f.sourceId])).toEqual([
      ["SBP_HIGH", "VitalSigns", sbp160.vitals.id],
      ["SPO2_LOW", "VitalSigns", spo91.vitals.id],
    ]);
  });

  it("a systolic rise of 20% or more from baseline raises BP_RISE_FROM_BASELINE", async () => {
    const { session } = await openSession(file.c, IV);
    await vitals(file.nurse, session.id, at(1), { systolicMmHg: 110, diastolicMmHg: 70 });
    // the baseline is the newest set at or before START (decision 0009)
    await dose(file.nurse, session.id, at(2), { type: "START", rateMgPerKgPerH: 0.2 });
    // 131 × 100 = 13 100 < 110 × 120 = 13 200: no flag
    expect((await vitals(file.nurse, session.id, at(5), { systolicMmHg: 131, diastolicMmHg: 70 })).flags).toEqual([]);
    // 133: +23/110 = 20.9%
    const rise = await vitals(file.nurse, session.id, at(10), { systolicMmHg: 133, diastolicMmHg: 70 });
    expect(rise.flags.map((f) => [f.code, f.valueText, f.limitText])).toEqual([
      ["BP_RISE_FROM_BASELINE", "SBP 133 mmHg (+20.9% from 110 mmHg)", "< +20% from baseline"],
    ]);
  });

  it("vitals more than vitalsIntervalMin (15) after the previous set raise VITALS_OVERDUE; exactly 15 does not", async () => {
    const { session } = await openSession(file.c, IV);
    expect((await vitals(file.nurse, session.id, at(1))).flags).toEqual([]);
    // the schedule runs from START (decision 0009)
    expect((await dose(file.nurse, session.id, at(1), { type: "START", rateMgPerKgPerH: 0.2 })).flags).toEqual([]);
    expect((await vitals(file.nurse, session.id, at(16))).flags).toEqual([]); // 15 min: on time
    const late = await vitals(file.nurse, session.id, at(32)); // 16 min after T+16
    expect(late.flags.map((f) => [f.code, f.valueText, f.limitText])).toEqual([["VITALS_OVERDUE", "16 min without vitals since the previous set", "≤ 15 min"]]);
  });

  it("a severity-3 side effect raises SEVERE_SIDE_EFFECT; severity 2 does not", async () => {
    const { session } = await openSession(file.c, IV);
    const moderate = await sideEffect(file.nurse, session.id, at(5), { kind: "NAUSEA_VOMITING", severity: 2, intervention: "ONDANSETRON" });
    expect(moderate.flags).toEqual([]);
    const severe = await sideEffect(file.nurse, session.id, at(6), { kind: "NAUSEA_VOMITING", severity: 3, intervention: "ONDANSETRON", note: "vomited twice" });
    expect(severe.sideEffect).toMatchObject({ kind: "NAUSEA_VOMITING", severity: 3, intervention: "ONDANSETRON" });
    expect(severe.flags.map((f) => [f.code, f.severity, f.valueText, f.limitText, f.reason])).toEqual([
      ["SEVERE_SIDE_EFFECT", "SOFT", "Nausea / vomiting: severe (3/3)", "< severe (3)", "vomited twice"],
    ]);
  });
});

describe("corrections and retractions", () => {
  it("a vitals correction keeps the old row (superseded) and a second correction of the same original is CONFLICT", async () => {
    const { session } = await openSession(file.c, IV);
    const v1 = await vitals(file.nurse, session.id, at(2), { systolicMmHg: 210 });
    const input = VitalsSchema.parse({
      at: iso(2), systolicMmHg: 121, diastolicMmHg: 80, heartRatePerMin: 80, spo2Pct: 98, respRatePerMin: 14,
      correctsId: v1.vitals.id, correctionReason: "typed 210 for 121",
    });
    const v2 = await db.$transaction((tx) => chartVitals(tx, { actor: file.nurse, sessionId: session.id, input, now: at(4) }));
    expect(v2.vitals).toMatchObject({ correctsId: v1.vitals.id, correctionReason: "typed 210 for 121", systolicMmHg: 121 });
    // both rows exist, the original unchanged
    const rows = await db.vitalSigns.findMany({ where: { sessionId: session.id }, orderBy: { enteredAt: "asc" } });
    expect(rows.map((r) => [r.id, r.systolicMmHg, r.correctsId])).toEqual([
      [v1.vitals.id, 210, null],
      [v2.vitals.id, 121, v1.vitals.id],
    ]);
    const chart = await getSessionChart({ actor: file.nurse, sessionId: session.id, now: at(5) });
    expect(chart.vitals).toHaveLength(2);
    expect(effectiveRows(chart.vitals).map((r) => r.id)).toEqual([v2.vitals.id]); // the original is superseded

    const before = await snapshotTables();
    const again = VitalsSchema.parse({ ...input, systolicMmHg: 122, correctionReason: "second try" });
    await expectAppError(db.$transaction((tx) => chartVitals(tx, { actor: file.nurse, sessionId: session.id, input: again, now: at(5) })), "CONFLICT");
    expect(await snapshotTables()).toEqual(before);
  });

  it("retractEntry leaves the original and adds a retraction row", async () => {
    const { session } = await openSession(file.c, IV);
    const v = await vitals(file.nurse, session.id, at(2));
    const r = await db.$transaction((tx) =>
      retractEntry(tx, { actor: file.nurse, sessionId: session.id, kind: "vitals", entryId: v.vitals.id, correctionReason: "wrong patient", now: at(3) }));
    expect(r.retraction).toMatchObject({ correctsId: v.vitals.id, correctionReason: "wrong patient" });
    const rows = await db.vitalSigns.findMany({ where: { sessionId: session.id }, orderBy: { enteredAt: "asc" } });
    expect(rows.map((x) => [x.id, x.isRetraction, x.correctsId, x.systolicMmHg])).toEqual([
      [v.vitals.id, false, null, 120],
      [r.retraction.id, true, v.vitals.id, 120],
    ]);
    expect(effectiveRows(rows)).toEqual([]);
  });

  it("a dose retraction that would leave an impossible timeline is CONFLICT and stores nothing", async () => {
    const { session } = await openSession(file.c, IV);
    await dose(file.nurse, session.id, at(1), { type: "START", rateMgPerKgPerH: 0.2 });
    const paused = await dose(file.nurse, session.id, at(5), { type: "PAUSE" });
    await dose(file.nurse, session.id, at(10), { type: "RESUME" });
    const before = await snapshotTables();
    // without the PAUSE the RESUME resumes a running infusion
    await expectAppError(db.$transaction((tx) =>
      retractEntry(tx, { actor: file.nurse, sessionId: session.id, kind: "dose-events", entryId: paused.doseEvent.id, correctionReason: "not paused", now: at(11) })), "CONFLICT");
    expect(await snapshotTables()).toEqual(before);
  });
});

describe("charting times", () => {
  it("before the session opened or in the future is BAD_INPUT on `at`; back-timed > 10 min needs a reason", async () => {
    const { session } = await openSession(file.c, IV);
    const before = await snapshotTables();
    const early = await expectAppError(vitals(file.nurse, session.id, at(-1), {}, at(5)), "BAD_INPUT");
    expect(Object.keys(early.fields ?? {})).toEqual(["at"]);
    const earlyDose = await expectAppError(dose(file.nurse, session.id, at(-1), { type: "START", rateMgPerKgPerH: 0.2 }, at(5)), "BAD_INPUT");
    expect(Object.keys(earlyDose.fields ?? {})).toEqual(["at"]);
    // future: more than the 2 min skew after the server clock
    const future = await expectAppError(vitals(file.nurse, session.id, at(13), {}, at(10)), "BAD_INPUT");
    expect(future.fields).toEqual({ at: "must not be in the future" });
    // back-timed 11 min without a reason
    const late = await expectAppError(vitals(file.nurse, session.id, at(1), {}, at(12)), "BAD_INPUT");
    expect(Object.keys(late.fields ?? {})).toEqual(["backTimeReason"]);
    expect(await snapshotTables()).toEqual(before);

    // exactly 10 min back needs no reason; 11 min with a reason is accepted
    expect((await vitals(file.nurse, session.id, at(2), {}, at(12))).vitals.at).toBe(iso(2));
    expect((await vitals(file.nurse, session.id, at(1), { backTimeReason: "monitor printout" }, at(12))).vitals.at).toBe(iso(1));
    // 2 min of device skew into the future is tolerated
    expect((await vitals(file.nurse, session.id, at(14), {}, at(12))).vitals.at).toBe(iso(14));
  });
});

describe("complete and sign", () => {
  it("complete refuses while running or paused and without a POST pain score; dose events stop after completion", async () => {
    const { session } = await openSession(file.c, IV);
    const s = session.id;
    await dose(file.nurse, s, at(1), { type: "START", rateMgPerKgPerH: 0.2 });
    const before = await tableCounts();
    await expectAppError(complete(file.nurse, s, at(20)), "CONFLICT"); // running
    await dose(file.nurse, s, at(20), { type: "PAUSE" });
    await expectAppError(complete(file.nurse, s, at(21)), "CONFLICT"); // paused
    await dose(file.nurse, s, at(30), { type: "STOP" });
    await expectAppError(complete(file.nurse, s, at(31)), "CONFLICT"); // no POST pain
    await expectAppError(complete(file.nurse, s, at(31), { dischargeReady: false }), "BAD_INPUT");
    // only the two dose rows and their two audit rows were added, and the VITALS_OVERDUE flag the
    // PAUSE raised (no vitals since START at T+1, due at T+16) with its audit row
    const mid = await tableCounts();
    expect({ d: mid.doseEvents - before.doseEvents, a: mid.audit - before.audit, f: mid.flags - before.flags, sessions: mid.sessions - before.sessions })
      .toEqual({ d: 2, a: 3, f: 1, sessions: 0 });
    expect((await db.infusionSession.findUniqueOrThrow({ where: { id: s } })).status).toBe("IN_PROGRESS");

    await pain(file.nurse, s, at(32), { score: 2, phase: "POST" });
    const done = await complete(file.nurse, s, at(33), { dischargeReady: true, dischargeNote: "home with husband" });
    expect(done.session).toMatchObject({ status: "COMPLETED", completedAt: iso(33), rowVersion: 1 });
    expect(done.flags).toEqual([]); // the IV protocol has no duration or cumulative limits
    const row = await db.infusionSession.findUniqueOrThrow({ where: { id: s } });
    expect([row.status, row.rowVersion, row.dischargeNote]).toEqual(["COMPLETED", 1, "home with husband"]);

    await expectAppError(dose(file.nurse, s, at(34), { type: "BOLUS", bolusMg: 1 }), "CONFLICT");
    await expectAppError(complete(file.nurse, s, at(35)), "CONFLICT"); // already completed
  });

  it("sign refuses while a HARD flag is unacknowledged, succeeds after a physician acknowledges; a signed session takes only addenda and follow-up pain", async () => {
    const { session } = await openSession(file.c, IV);
    const s = session.id;
    await dose(file.nurse, s, at(1), { type: "START", rateMgPerKgPerH: 0.3 });
    const hard = await dose(file.nurse, s, at(5), { type: "RATE_CHANGE", rateMgPerKgPerH: 1, overrideReason: "Dr approved bolus-like step" });
    await dose(file.nurse, s, at(10), { type: "RATE_CHANGE", rateMgPerKgPerH: 0.3 });
    await dose(file.nurse, s, at(40), { type: "STOP" });
    await pain(file.nurse, s, at(41), { score: 4, phase: "POST" });
    await complete(file.nurse, s, at(42));

    let before = await snapshotTables();
    const refused = await expectAppError(db.$transaction((tx) => signSession(tx, { actor: file.nurse, sessionId: s, now: at(43) })), "CONFLICT");
    expect(refused.userMessage).toBe("1 hard-limit flag must be acknowledged by a physician before signing.");
    expect(await snapshotTables()).toEqual(before);

    const ack = await db.$transaction((tx) =>
      acknowledgeFlags(tx, { actor: file.physician, flagIds: [hard.flags[0]!.id], reason: "reviewed, patient stable", now: at(50) }));
    expect(ack.flags.map((f) => [f.code, f.acknowledgedAt, f.acknowledgedBy])).toEqual([["DOSE_ANESTHETIC_RANGE", iso(50), file.physician.name]]);
    // acknowledging twice is a conflict
    await expectAppError(db.$transaction((tx) => acknowledgeFlags(tx, { actor: file.physician, flagIds: [hard.flags[0]!.id], reason: "again", now: at(51) })), "CONFLICT");

    const signed = await db.$transaction((tx) => signSession(tx, { actor: file.nurse, sessionId: s, rowVersion: 1, now: at(52) }));
    expect(signed.session).toMatchObject({ status: "SIGNED", signedAt: iso(52), rowVersion: 2 });

    before = await snapshotTables();
    await expectAppError(vitals(file.nurse, s, at(53)), "CONFLICT");
    await expectAppError(dose(file.nurse, s, at(53), { type: "BOLUS", bolusMg: 1 }), "CONFLICT");
    await expectAppError(pain(file.nurse, s, at(53), { score: 2, phase: "POST" }), "CONFLICT");
    await expectAppError(db.$transaction((tx) => signSession(tx, { actor: file.nurse, sessionId: s, now: at(54) })), "CONFLICT");
    expect(await snapshotTables()).toEqual(before);

    const add = await db.$transaction((tx) => addAddendum(tx, { actor: file.nurse, sessionId: s, text: "Patient called: mild nausea at home.", now: at(60) }));
    expect(add.addendum).toMatchObject({ text: "Patient called: mild nausea at home.", author: file.nurse.name });
    // follow-up pain three days later (no back-timing reason needed, after the session ended)
    const threeDays = at(3 * 24 * 60);
    const fu = await pain(file.nurse, s, threeDays, { score: 3, phase: "FOLLOW_UP" });
    expect(fu.painScore).toMatchObject({ phase: "FOLLOW_UP", score: 3, at: threeDays.toISOString() });
    const chart = await getSessionChart({ actor: file.physician, sessionId: s, now: threeDays });
    expect(chart.addenda.map((a) => a.text)).toEqual(["Patient called: mild nausea at home."]);
    expect(chart.painScores.map((p) => p.phase)).toEqual(["POST", "FOLLOW_UP"]);
  });
});

describe("optimistic concurrency", () => {
  it("completeSession with a stale rowVersion is CONFLICT; sign with the pre-completion version is CONFLICT", async () => {
    const { session } = await openSession(file.c, IV);
    const s = session.id;
    await dose(file.nurse, s, at(1), { type: "START", rateMgPerKgPerH: 0.2 });
    await dose(file.nurse, s, at(30), { type: "STOP" });
    await pain(file.nurse, s, at(31), { score: 2, phase: "POST" });
    const before = await snapshotTables();
    // the row is at version 0; a client that believes version 1 is stale
    await expectAppError(complete(file.nurse, s, at(32), { dischargeReady: true, rowVersion: 1 }), "CONFLICT");
    expect(await snapshotTables()).toEqual(before);
    expect((await complete(file.nurse, s, at(33), { dischargeReady: true, rowVersion: 0 })).session.rowVersion).toBe(1);
    await expectAppError(db.$transaction((tx) => signSession(tx, { actor: file.nurse, sessionId: s, rowVersion: 0, now: at(34) })), "CONFLICT");
    expect((await db.infusionSession.findUniqueOrThrow({ where: { id: s } })).status).toBe("COMPLETED");
  });

  it("two concurrent completes of the same version: exactly one succeeds, the other is CONFLICT", async () => {
    const { session } = await openSession(file.c, IV);
    const s = session.id;
    await dose(file.nurse, s, at(1), { type: "START", rateMgPerKgPerH: 0.2 });
    await dose(file.nurse, s, at(30), { type: "STOP" });
    await pain(file.nurse, s, at(31), { score: 2, phase: "POST" });
    const results = await Promise.allSettled([
      complete(file.nurse, s, at(32), { dischargeReady: true, rowVersion: 0 }),
      complete(file.physician, s, at(32), { dischargeReady: true, rowVersion: 0 }),
    ]);
    const ok = results.filter((r) => r.status === "fulfilled");
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(ok).toHaveLength(1);
    expect(failed).toHaveLength(1);
    // a stale client must get 409, not a database deadlock error (500)
    const reason = failed[0]!.reason as { name?: string; code?: string; message?: string };
    expect({ name: reason.name, code: reason.code }, String(reason.message).replace(/\s+/g, " ").slice(-240)).toEqual({ name: "AppError", code: "CONFLICT" });
    expect(await db.auditEvent.count({ where: { entityId: s, action: "session.complete" } })).toBe(1);
  });
});

describe("series schedule and screening", () => {
  it("neuropathic protocol: a session within 20 h raises SESSION_INTERVAL_TOO_SHORT; beyond plannedSessions raises SERIES_OVER_PLAN", async () => {
    const first = await openSession(file.c, NEURO, T0, { plannedSessions: 2 });
    // 0.2 mg/kg/h for 130 min = 0.433 mg/kg ≤ 1.2; 130 min within 120-240: no completion flags
    expect((await runAndComplete(first.session.id, T0)).flags).toEqual([]);

    const t2 = at(10 * 60); // T0 + 10 h
    const second = await start(file.nurse, first.series.id, t2);
    expect(second.session.sequence).toBe(2);
    expect(second.flags.map((f) => [f.code, f.severity, f.valueText, f.limitText])).toEqual([
      ["SESSION_INTERVAL_TOO_SHORT", "SOFT", "10 h 0 min since the previous session", "≥ 20 h"],
    ]);
    await runAndComplete(second.session.id, t2);

    const t3 = at(20 * 60, t2); // exactly 20 h after session 2: interval fine; session 3 of 2 planned
    const third = await start(file.nurse, first.series.id, t3);
    expect(third.flags.map((f) => [f.code, f.valueText, f.limitText])).toEqual([["SERIES_OVER_PLAN", "session 3", "≤ 2 planned"]]);
    // the schedule flags (runAndComplete charts no vitals: its vitals flags are left out here)
    const stored = await db.flag.findMany({ where: { seriesId: first.series.id, code: { in: ["SESSION_INTERVAL_TOO_SHORT", "SERIES_OVER_PLAN"] } }, orderBy: { raisedAt: "asc" } });
    expect(stored.map((f) => [f.code, f.sessionId, f.sourceType])).toEqual([
      ["SESSION_INTERVAL_TOO_SHORT", second.session.id, "InfusionSession"],
      ["SERIES_OVER_PLAN", third.session.id, "InfusionSession"],
    ]);
  });

  it("a positive screening makes orderSeries require screeningOverrideReason and raises SCREENING_POSITIVE with it", async () => {
    const patient = await createPatient(db, {
      clinicId: file.clinicId, mrn: nextMrn(), givenName: "Bo", familyName: "Screened", birthDate: "1975-01-01",
      screening: { psychosis: true, hepatic: true },
    });
    const version = file.c.protocolByName(IV).version;
    const raw = { protocolVersionId: version.id, plannedSessions: 4, startDate: "2026-03-01" };
    const before = await snapshotTables();
    const err = await expectAppError(
      db.$transaction((tx) => orderSeries(tx, { actor: file.physician, patientId: patient.id, input: OrderSeriesSchema.parse(raw) })), "BAD_INPUT");
    expect(Object.keys(err.fields ?? {})).toEqual(["screeningOverrideReason"]);
    expect(await snapshotTables()).toEqual(before);

    const ordered = await db.$transaction((tx) =>
      orderSeries(tx, { actor: file.physician, patientId: patient.id, input: OrderSeriesSchema.parse({ ...raw, screeningOverrideReason: "psychiatry cleared 2026-02" }) }));
    expect(ordered.flags.map((f) => [f.code, f.severity, f.valueText, f.limitText, f.reason])).toEqual([
      ["SCREENING_POSITIVE", "SOFT", "psychosis; hepatic disease", "no positive screening answer", "psychiatry cleared 2026-02"],
    ]);
    const series = await db.series.findUniqueOrThrow({ where: { id: ordered.series.id } });
    expect(series.screeningOverrideReason).toBe("psychiatry cleared 2026-02");
  });
});
