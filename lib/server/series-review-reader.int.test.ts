// The series review reader and its query (lib/server/sql/series-review.ts): one SQL query
// returns the charted rows as JSON instead of materialising them through Prisma model queries
// (docs/decisions/0005-physician-review.md "How the review reads and ships its data"). These tests chart through the
// real services (corrections via correctsId, retractions, a pause, a missing score, a running
// session, acknowledged flags) and check that the reader hands lib/domain exactly what the
// straightforward Prisma reading does, that the figures come out as computed by hand, and that
// another clinic reads nothing.
import { beforeAll, describe, expect, it } from "vitest";
import { effectiveRows } from "@/lib/domain/charting";
import { summarizeSeries, type SummarySessionInput } from "@/lib/domain/series-summary";
import type { Actor } from "@/lib/server/actor";
import { limitsOf } from "@/lib/server/protocols";
import { orderSeries } from "@/lib/server/series";
import { preparedStatementName } from "@/lib/server/db";
import { readSeriesForReview } from "@/lib/server/series-review-reader";
import { readSeriesReviewRows, SERIES_REVIEW_STATEMENT, seriesReviewSql } from "@/lib/server/sql/series-review";
import { acknowledgeFlags } from "@/lib/server/sessions";
import { formatDate } from "@/lib/time";
import { OrderSeriesSchema } from "@/lib/validation/series";
import { db, freshClinic } from "@/test/helpers";
import { at, complete, dose, pain, patientWithSeries, retract, sideEffect, start, T0, vitals, type Clinic } from "@/test/charting";

const IV = "IV infusion (routes table)"; // documented 0.1-0.5 mg/kg/h
const DAY_MIN = 24 * 60;

let a: Clinic;
let b: Clinic;
let seriesId: string;
let patientId: string;
const week = (n: number) => at(n * 7 * DAY_MIN);


/**
 * The reference: the series' charted rows read with plain Prisma model queries (clinic-scoped),
 * in chart order (time, then charting time, then id), rows in force by effectiveRows, grouped
 * by session: how the review read them before.
 */
async function referenceInputs(actor: Actor, id: string): Promise<SummarySessionInput[]> {
  const inSeries = { session: { seriesId: id, clinicId: actor.clinicId } };
  const [sessions, doseEvents, painScores, sideEffects, flags] = await Promise.all([
    db.infusionSession.findMany({ where: { seriesId: id, clinicId: actor.clinicId }, orderBy: { sequence: "asc" } }),
    db.doseEvent.findMany({ where: inSeries, orderBy: [{ at: "asc" }, { enteredAt: "asc" }, { id: "asc" }] }),
    db.painScore.findMany({ where: { seriesId: id, series: { clinicId: actor.clinicId } }, orderBy: [{ at: "asc" }, { enteredAt: "asc" }, { id: "asc" }] }),
    db.sideEffect.findMany({ where: inSeries, orderBy: [{ at: "asc" }, { enteredAt: "asc" }, { id: "asc" }] }),
    db.flag.findMany({ where: { seriesId: id, clinicId: actor.clinicId }, orderBy: [{ raisedAt: "asc" }, { id: "asc" }] }),
  ]);
  const of = <T extends { sessionId: string | null }>(rows: T[], sessionId: string) => rows.filter((r) => r.sessionId === sessionId);
  return sessions.map((s) => ({
    id: s.id, sequence: s.sequence, status: s.status, openedAtMs: s.openedAt.getTime(), date: formatDate(s.openedAt, actor.clinicTimezone),
    completedAtMs: s.completedAt?.getTime() ?? null, weightG: s.weightG,
    doseEvents: of(effectiveRows(doseEvents), s.id).map((e) => ({ type: e.type, atMs: e.at.getTime(), rateUgPerKgPerH: e.rateUgPerKgPerH, bolusUg: e.bolusUg })),
    pain: of(effectiveRows(painScores), s.id).map((p) => ({ atMs: p.at.getTime(), score: p.score, scale: p.scale, phase: p.phase, reportedBy: p.reportedBy })),
    sideEffects: of(effectiveRows(sideEffects), s.id).map((e) => ({ kind: e.kind, severity: e.severity })),
    flags: of(flags, s.id).map((f) => ({ code: f.code, severity: f.severity, acknowledged: f.acknowledgedAt !== null })),
  }));
}

beforeAll(async () => {
  [a, b] = [await freshClinic(), await freshClinic()];
  const { nurse, physician } = a.actors;
  const ordered = await patientWithSeries(a, IV, { plannedSessions: 4 });
  seriesId = ordered.series.id;
  patientId = ordered.patient.id;

  // Session 1: a rate change corrected (0.45 -> 0.35), a pause, the after score corrected
  // (6 -> 5), one side effect retracted, a follow-up back at baseline after 3 days.
  const s1 = (await start(nurse, seriesId, T0)).session.id;
  await pain(nurse, s1, at(2), { score: 8, phase: "PRE" });
  await dose(nurse, s1, at(3), { type: "START", rateMgPerKgPerH: 0.3, reason: "as ordered" });
  await vitals(nurse, s1, at(5));
  const change = await dose(nurse, s1, at(20), { type: "RATE_CHANGE", rateMgPerKgPerH: 0.45, reason: "pain" });
  await dose(nurse, s1, at(20), { type: "RATE_CHANGE", rateMgPerKgPerH: 0.35, reason: "pain", correctsId: change.doseEvent.id, correctionReason: "typed 0.45" }, at(25));
  await dose(nurse, s1, at(30), { type: "PAUSE", reason: "dizzy" });
  await dose(nurse, s1, at(40), { type: "RESUME", reason: "better" });
  const nausea = await sideEffect(nurse, s1, at(50), { kind: "NAUSEA_VOMITING", severity: 2 });
  await sideEffect(nurse, s1, at(51), { kind: "DIZZINESS", severity: 1 });
  await retract(nurse, s1, "side-effects", nausea.sideEffect.id, at(55));
  await dose(nurse, s1, at(63), { type: "STOP" });
  const post = await pain(nurse, s1, at(70), { score: 6, phase: "POST" });
  await pain(nurse, s1, at(70), { score: 5, phase: "POST", correctsId: post.painScore.id, correctionReason: "patient revised" }, at(72));
  await complete(nurse, s1, at(80));
  await pain(nurse, s1, at(3 * DAY_MIN), { score: 8, phase: "FOLLOW_UP" });

  // Session 2: started above the documented range (a soft flag, acknowledged), a rate change
  // retracted, a severe side effect, no before score (only after: no relief).
  const s2 = (await start(nurse, seriesId, week(1))).session.id;
  const started = await dose(nurse, s2, at(3, week(1)), { type: "START", rateMgPerKgPerH: 0.6, reason: "as ordered" });
  await vitals(nurse, s2, at(5, week(1)));
  const lowered = await dose(nurse, s2, at(20, week(1)), { type: "RATE_CHANGE", rateMgPerKgPerH: 0.4, reason: "titrate" });
  await retract(nurse, s2, "dose-events", lowered.doseEvent.id, at(25, week(1)));
  await sideEffect(nurse, s2, at(30, week(1)), { kind: "DISSOCIATION", severity: 3, intervention: "REASSURANCE" });
  await dose(nurse, s2, at(63, week(1)), { type: "STOP" });
  await pain(nurse, s2, at(70, week(1)), { score: 4, phase: "POST" });
  await complete(nurse, s2, at(80, week(1)));
  await db.$transaction((tx) => acknowledgeFlags(tx, { actor: physician, flagIds: started.flags.map((f) => f.id), reason: "ordered on purpose" }));

  // Session 3: running, no scores yet.
  const s3 = (await start(nurse, seriesId, week(2))).session.id;
  await dose(nurse, s3, at(3, week(2)), { type: "START", rateMgPerKgPerH: 0.2, reason: "as ordered" });
});

describe("the series review query's decoded rows", () => {
  it("are the series, patient, protocol and version as Prisma reads them: the version's createdAt a Date, its limits numbers", async () => {
    const rows = await readSeriesReviewRows(a.clinic.id, seriesId);
    expect(rows).toHaveLength(1);
    const [row] = rows;
    const series = await db.series.findUniqueOrThrow({
      where: { id: seriesId },
      include: { patient: true, orderingPhysician: { select: { name: true } }, protocolVersion: { include: { protocol: true } } },
    });
    const { protocol, ...version } = series.protocolVersion;
    expect(row!.protocolVersion).toEqual(version);
    expect(row!.protocolVersion.createdAt).toBeInstanceOf(Date);
    expect(row).toMatchObject({
      id: series.id, isTarget: true, status: series.status, plannedSessions: series.plannedSessions, intervalDays: series.intervalDays,
      startDate: series.startDate.toISOString().slice(0, 10), screeningOverrideReason: series.screeningOverrideReason,
      orderingPhysician: series.orderingPhysician.name,
      patient: {
        id: series.patient.id, mrn: series.patient.mrn, givenName: series.patient.givenName, familyName: series.patient.familyName,
        birthDate: series.patient.birthDate.toISOString().slice(0, 10), sex: series.patient.sex, allergies: series.patient.allergies,
      },
      protocol: { id: protocol.id, name: protocol.name, route: protocol.route, indication: protocol.indication },
    });
  });

  it("hold every charted row, corrections and retractions included, in chart order, with epochs as the Prisma Dates' milliseconds", async () => {
    const [row] = await readSeriesReviewRows(a.clinic.id, seriesId);
    const chartOrder = [{ at: "asc" }, { enteredAt: "asc" }, { id: "asc" }] as const;
    const inClinic = { session: { seriesId, clinicId: a.clinic.id } };
    const [sessions, doseEvents, painScores, sideEffects] = await Promise.all([
      db.infusionSession.findMany({ where: { seriesId, clinicId: a.clinic.id }, orderBy: { sequence: "asc" } }),
      db.doseEvent.findMany({ where: inClinic, orderBy: [...chartOrder] }),
      db.painScore.findMany({ where: { seriesId }, orderBy: [...chartOrder] }),
      db.sideEffect.findMany({ where: inClinic, orderBy: [...chartOrder] }),
    ]);
    const correction = (r: { id: string; sessionId: string | null; correctsId: string | null; isRetraction: boolean }) =>
      ({ id: r.id, sessionId: r.sessionId, correctsId: r.correctsId, isRetraction: r.isRetraction });
    expect(row!.sessions).toEqual(sessions.map((s) => ({
      id: s.id, sequence: s.sequence, status: s.status, openedAtMs: s.openedAt.getTime(), completedAtMs: s.completedAt?.getTime() ?? null, weightG: s.weightG,
    })));
    expect(row!.doseEvents).toEqual(doseEvents.map((e) => ({ ...correction(e), value: { type: e.type, atMs: e.at.getTime(), rateUgPerKgPerH: e.rateUgPerKgPerH, bolusUg: e.bolusUg } })));
    expect(row!.pain).toEqual(painScores.map((p) => ({ ...correction(p), value: { atMs: p.at.getTime(), score: p.score, scale: p.scale, phase: p.phase, reportedBy: p.reportedBy } })));
    expect(row!.sideEffects).toEqual(sideEffects.map((e) => ({ ...correction(e), value: { kind: e.kind, severity: e.severity } })));
    // not vacuous: the withdrawn and replaced rows are there
    expect(row!.doseEvents.filter((e) => e.isRetraction || e.correctsId !== null).length).toBeGreaterThanOrEqual(2);
    expect(row!.pain.filter((p) => p.correctsId !== null)).toHaveLength(1);
    expect(row!.sideEffects.filter((e) => e.isRetraction)).toHaveLength(1);
  });

  it("are none for another clinic", async () => {
    expect(await readSeriesReviewRows(b.clinic.id, seriesId)).toEqual([]);
  });
});

describe("readSeriesForReview", () => {
  it("hands the domain the same per-session inputs as plain Prisma reads with effectiveRows", async () => {
    const read = await readSeriesForReview(a.actors.physician, seriesId);
    expect(read).not.toBeNull();
    const expected = await referenceInputs(a.actors.physician, seriesId);
    expect(expected).toHaveLength(3);
    expect(read!.series.inputs).toEqual(expected);
    const version = await db.protocolVersion.findUniqueOrThrow({ where: { id: a.protocolByName(IV).version.id } });
    expect(read!.series.limits).toEqual(limitsOf(version));
  });

  it("applies corrections and retractions, pauses and missing scores (hand-computed)", async () => {
    const read = (await readSeriesForReview(a.actors.physician, seriesId))!;
    const [s1, s2, s3] = read.series.inputs;
    // corrected rate, not the 0.45 typed first; the retracted rate change of session 2 is gone
    expect(s1!.doseEvents.map((e) => [e.type, e.rateUgPerKgPerH])).toEqual([["START", 300], ["RATE_CHANGE", 350], ["PAUSE", null], ["RESUME", null], ["STOP", null]]);
    expect(s2!.doseEvents.map((e) => e.type)).toEqual(["START", "STOP"]);
    expect(s1!.pain.map((p) => [p.phase, p.score])).toEqual([["PRE", 8], ["POST", 5], ["FOLLOW_UP", 8]]);
    expect(s1!.sideEffects).toEqual([{ kind: "DIZZINESS", severity: 1 }]);
    expect(s3).toMatchObject({ status: "IN_PROGRESS", completedAtMs: null, pain: [], sideEffects: [] });

    const nowMs = at(33, week(2)).getTime();
    const summary = summarizeSeries({ sessions: read.series.inputs, limits: read.series.limits, plannedSessions: 4, intervalDays: null, startDate: read.series.startDate, nowMs });
    const [r1, r2, r3] = summary.rows;
    // session 1: 0.30 for 17 min, 0.35 for 10 min, paused 10 min, 0.35 for 23 min, at 70.4 kg:
    // (300×17 + 350×10 + 350×23) µg/kg/h·min × 70.4 kg / 60 = 19,536 µg -> 277.5 -> 278 µg/kg (half up)
    expect(r1).toMatchObject({ peakRateUgPerKgPerH: 350, totalUgPerKg: 278, preNrs: 8, postNrs: 5, reliefPct: 37.5, maxSideEffectSeverity: 1, sideEffects: { DIZZINESS: 1 } });
    // follow-up 3 days after the start, back at 8: 3 d - 63 min -> 3.0 days
    expect(r1!.durabilityDays).toBe(3);
    // session 2: 0.6 mg/kg/h for the hour (the 0.4 was withdrawn), no before score
    expect(r2).toMatchObject({ peakRateUgPerKgPerH: 600, totalUgPerKg: 600, peakRateZone: "ABOVE_SOFT", preNrs: null, postNrs: 4, reliefPct: null, maxSideEffectSeverity: 3 });
    // two flags: the START above 0.5 mg/kg/h (RATE_ABOVE_RANGE), acknowledged; the severity-3
    // dissociation (SEVERE_SIDE_EFFECT, severity >= 3), still open; and, no vitals being charted in
    // session 2, the timeline engine's BASELINE_VITALS_MISSING (raised with the START, acknowledged
    // with it) and VITALS_OVERDUE (START to STOP, open): 2 open, 2 acknowledged
    expect([r2!.openFlags, r2!.ackedFlags]).toEqual([2, 2]);
    expect(r2!.openFlags + r2!.ackedFlags).toBe(read.series.flags.filter((f) => f.sessionId === r2!.sessionId && f.resolvedAtMs === null).length);
    // session 3: running 30 min at 0.2 -> 100 µg/kg so far
    expect(r3).toMatchObject({ status: "IN_PROGRESS", peakRateUgPerKgPerH: 200, totalUgPerKg: 100, preNrs: null, reliefPct: null });
  });

  it("returns the flags with who raised and acknowledged them", async () => {
    const read = (await readSeriesForReview(a.actors.physician, seriesId))!;
    const stored = await db.flag.findMany({ where: { seriesId }, orderBy: [{ raisedAt: "asc" }, { id: "asc" }] });
    expect(read.series.flags.map((f) => f.id)).toEqual(stored.map((f) => f.id));
    const acked = read.series.flags.find((f) => f.acknowledgedAtMs !== null)!;
    const row = stored.find((f) => f.id === acked.id)!;
    expect(acked).toMatchObject({ acknowledgedBy: a.physician.name, ackReason: "ordered on purpose", acknowledgedAtMs: row.acknowledgedAt!.getTime(), raisedAtMs: row.raisedAt.getTime(), raisedBy: a.nurse.name });
  });

  it("reads nothing of another clinic's series", async () => {
    expect(await readSeriesForReview(b.actors.physician, seriesId)).toBeNull();
    expect(await readSeriesForReview(b.actors.nurse, seriesId)).toBeNull();
  });

  it("finds the patient's latest earlier series on the same protocol as the previous one", async () => {
    const { physician } = a.actors;
    const order = (protocolName: string, startDate: string) => db.$transaction((tx) => orderSeries(tx, {
      actor: physician, patientId,
      input: OrderSeriesSchema.parse({ protocolVersionId: a.protocolByName(protocolName).version.id, plannedSessions: 2, startDate }),
    }));
    const other = a.protocols.find((p) => p.protocol.name !== IV)!.protocol.name;
    const differentProtocol = await order(other, "2026-06-10");
    const later = await order(IV, "2026-07-01");
    const latest = await order(IV, "2026-08-01");
    // another patient's series on the same protocol never counts
    const stranger = await patientWithSeries(a, IV);
    const read = (await readSeriesForReview(physician, latest.series.id))!;
    expect(read.previous?.id).toBe(later.series.id);
    expect((await readSeriesForReview(physician, later.series.id))!.previous?.id).toBe(seriesId);
    expect((await readSeriesForReview(physician, seriesId))!.previous).toBeNull();
    expect((await readSeriesForReview(physician, differentProtocol.series.id))!.previous).toBeNull();
    expect((await readSeriesForReview(physician, stranger.series.id))!.previous).toBeNull();
    // the previous series comes with its own inputs, as the reference reads them
    expect((await readSeriesForReview(physician, later.series.id))!.previous!.inputs).toEqual(await referenceInputs(physician, seriesId));
  });

  it("is prepared once per connection under its own name (lib/server/sql/prepared.ts)", async () => {
    expect(preparedStatementName({ sql: seriesReviewSql(a.clinic.id, seriesId).text })).toBe(SERIES_REVIEW_STATEMENT);
    // twice on every pooled connection: the prepared statement answers the same as the first call
    const reads = await Promise.all(Array.from({ length: 12 }, () => readSeriesForReview(a.actors.physician, seriesId)));
    for (const r of reads) expect(r).toEqual(reads[0]);
  });
});
