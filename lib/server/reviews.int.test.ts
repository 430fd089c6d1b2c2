// Physician review: the series summary against real PostgreSQL, review signatures (locked once
// signed, addenda after; docs/decisions/0005-physician-review.md), and the permission rules
// with an unchanged database. Each test charts its own series, so any one of them runs alone.
import { beforeAll, describe, expect, it } from "vitest";
import { createPatient } from "@/prisma/seed/factories";
import { findPhysicianWorklist } from "@/lib/server/dashboard";
import { findSeriesReviews, getSeriesSummary, signReview } from "@/lib/server/reviews";
import { acknowledgeFlags } from "@/lib/server/sessions";
import { orderSeries } from "@/lib/server/series";
import { SignReviewSchema } from "@/lib/validation/review";
import { OrderSeriesSchema } from "@/lib/validation/series";
import type { Actor } from "@/lib/server/actor";
import { db, freshClinic, snapshotTables } from "@/test/helpers";
import { at, complete, dose, expectAppError, nextMrn, openSession, pain, start, T0, vitals, type Clinic } from "@/test/charting";

const IV = "IV infusion (routes table)"; // documented 0.1-0.5 mg/kg/h
const DAY_MIN = 24 * 60;

let a: Clinic;
let b: Clinic;

const sign = (actor: Actor, id: string, raw: Record<string, unknown>, now = new Date()) =>
  db.$transaction((tx) => signReview(tx, { actor, seriesId: id, input: SignReviewSchema.parse(raw), now }));

/** One 60-minute session at `rateMgPerKgPerH`, pain pre/post, completed 20 min after the stop. */
async function chartHour(c: Clinic, sessionId: string, base: Date, rateMgPerKgPerH: number, pre: number, post: number) {
  const nurse = c.actors.nurse;
  // vitals as the schedule asks (decision 0009): a baseline before START, then at most 15 min apart up to the STOP
  await vitals(nurse, sessionId, at(1, base));
  await pain(nurse, sessionId, at(2, base), { score: pre, phase: "PRE" });
  await dose(nurse, sessionId, at(3, base), { type: "START", rateMgPerKgPerH, reason: "as ordered" });
  for (const m of [5, 20, 35, 50]) await vitals(nurse, sessionId, at(m, base));
  await dose(nurse, sessionId, at(63, base), { type: "STOP" });
  await pain(nurse, sessionId, at(70, base), { score: post, phase: "POST" });
  await complete(nurse, sessionId, at(80, base));
}

/**
 * A series of 4 planned sessions on the IV protocol with two charted and completed:
 * session 1 at T0, 0.3 mg/kg/h for 60 min, NRS 8 -> 6 (25%), follow-up NRS 8 three days later;
 * session 2 a week later, 0.6 mg/kg/h (above the documented 0.5: one soft flag), NRS 8 -> 4 (50%).
 */
async function chartedSeries(c: Clinic) {
  const first = await openSession(c, IV, T0, { plannedSessions: 4 });
  const seriesId = first.series.id;
  await chartHour(c, first.session.id, T0, 0.3, 8, 6);
  await pain(c.actors.nurse, first.session.id, at(3 * DAY_MIN), { score: 8, phase: "FOLLOW_UP" });
  const base2 = at(7 * DAY_MIN);
  const second = await start(c.actors.nurse, seriesId, base2);
  await chartHour(c, second.session.id, base2, 0.6, 8, 4);
  return { seriesId, patientId: first.patient.id, sessionIds: [first.session.id, second.session.id] };
}

/** Runs `p`, expects `code`, and checks that no row of any table was added, changed or removed. */
async function refused(p: () => Promise<unknown>, code: "FORBIDDEN" | "NOT_FOUND" | "CONFLICT" | "BAD_INPUT") {
  const before = await snapshotTables();
  await expectAppError(p(), code);
  expect(await snapshotTables()).toEqual(before);
}

beforeAll(async () => {
  [a, b] = [await freshClinic(), await freshClinic()];
});

describe("getSeriesSummary", () => {
  it("answers the per-session rows and the response summary (hand-computed)", async () => {
    const { seriesId } = await chartedSeries(a);
    const s = await getSeriesSummary({ actor: a.actors.physician, seriesId, now: at(10 * DAY_MIN) });
    // session 1: 0.3 mg/kg/h x 1 h = 0.3 mg/kg, NRS 8 -> 6 = 25%, inside 0.1-0.5: no flag;
    // session 2: 0.6 mg/kg/h x 1 h = 0.6 mg/kg, NRS 8 -> 4 = 50%, its start above 0.5: one open soft flag
    expect(s.rows.map((r) => ({
      seq: r.sequence, pre: r.preNrs, post: r.postNrs, relief: r.reliefPct, total: r.totalMgPerKg, peak: r.peakRateMgPerKgPerH,
      zone: r.peakRateZone, open: r.openFlags, acked: r.ackedFlags, severity: r.maxSideEffectSeverity,
    }))).toEqual([
      { seq: 1, pre: 8, post: 6, relief: 25, total: 0.3, peak: 0.3, zone: "IN_RANGE", open: 0, acked: 0, severity: 0 },
      { seq: 2, pre: 8, post: 4, relief: 50, total: 0.6, peak: 0.6, zone: "ABOVE_SOFT", open: 1, acked: 0, severity: 0 },
    ]);
    // the sessions' calendar dates in the clinic's zone (America/New_York): T0 = 2026-03-02 09:00, a week later
    expect(s.rows.map((r) => r.date)).toEqual(["2026-03-02", "2026-03-09"]);
    // stop at +63 min, follow-up at +3 days: 3 d - 63 min = 2.956 d -> 3.0
    expect(s.rows[0]!.durabilityDays).toBe(3);
    // mean relief (25 + 50) / 2 = 37.5: at least 30% (meaningful), under 50% (not substantial)
    expect(s.response).toMatchObject({ responder: "MEANINGFUL", isResponder30: true, isResponder50: false, meanReliefPct: 37.5, sessionsWithScores: 2, meanDurabilityDays: 3 });
    expect(s.schedule).toMatchObject({ plannedSessions: 4, sessionsDone: 2, sessionsInProgress: 0 });
    expect(s.protocol.band).toMatchObject({ minUgPerKgPerH: 100, maxUgPerKgPerH: 500, hardMaxUgPerKgPerH: 1000 });
    expect(s.previous).toBeNull();
    expect(s.flags.map((f) => [f.code, f.acknowledgedAt])).toEqual([["RATE_ABOVE_RANGE", null]]);
    expect(s.flagCounts).toEqual({ open: 1, acknowledged: 0, openHard: 0 });
  });

  it("is scoped to the clinic: another clinic's physician gets NOT_FOUND", async () => {
    const { seriesId } = await chartedSeries(a);
    await expectAppError(getSeriesSummary({ actor: b.actors.physician, seriesId }), "NOT_FOUND");
  });

  it("compares with the patient's previous series on the same protocol", async () => {
    const { seriesId, patientId } = await chartedSeries(a);
    const version = a.protocolByName(IV).version;
    const input = OrderSeriesSchema.parse({ protocolVersionId: version.id, plannedSessions: 2, startDate: "2026-06-01" });
    const later = await db.$transaction((tx) => orderSeries(tx, { actor: a.actors.physician, patientId, input }));
    const base = new Date("2026-06-01T14:00:00Z");
    const s1 = await start(a.actors.nurse, later.series.id, base);
    await chartHour(a, s1.session.id, base, 0.3, 6, 3); // 50%
    const s = await getSeriesSummary({ actor: a.actors.physician, seriesId: later.series.id, now: at(60, base) });
    expect(s.previous?.seriesId).toBe(seriesId);
    // relief 50 - 37.5 = 12.5; total 0.3 - (0.3 + 0.6) / 2 = -0.15 mg/kg; sessions 1 - 2 = -1
    expect(s.previous?.comparison).toMatchObject({ meanReliefPctDelta: 12.5, meanTotalMgPerKgDelta: -0.15, sessionsDoneDelta: -1 });
    // and the earlier series has no previous one
    expect((await getSeriesSummary({ actor: a.actors.physician, seriesId })).previous).toBeNull();
  });
});

describe("flags: only physicians acknowledge", () => {
  it("a nurse gets FORBIDDEN and nothing changes; a physician's acknowledgement shows who and why", async () => {
    const { seriesId } = await chartedSeries(a);
    const flag = await db.flag.findFirstOrThrow({ where: { seriesId, acknowledgedAt: null } });
    await refused(() => db.$transaction((tx) => acknowledgeFlags(tx, { actor: a.actors.nurse, flagIds: [flag.id], reason: "seen" })), "FORBIDDEN");
    await refused(() => db.$transaction((tx) => acknowledgeFlags(tx, { actor: b.actors.physician, flagIds: [flag.id], reason: "seen" })), "NOT_FOUND");
    await db.$transaction((tx) => acknowledgeFlags(tx, { actor: a.actors.physician, flagIds: [flag.id], reason: "Titrated on purpose, tolerated" }));
    const s = await getSeriesSummary({ actor: a.actors.physician, seriesId });
    const acked = s.flags.find((f) => f.id === flag.id)!;
    expect(acked).toMatchObject({ acknowledgedBy: a.physician.name, ackReason: "Titrated on purpose, tolerated" });
    // the series' one flag (session 2's start above range) moved from open to acknowledged
    expect(s.flagCounts).toEqual({ open: 0, acknowledged: 1, openHard: 0 });
    expect(s.rows.map((r) => [r.openFlags, r.ackedFlags])).toEqual([[0, 0], [0, 1]]);
    expect(await db.auditEvent.count({ where: { entityId: flag.id, action: "flag.acknowledge" } })).toBe(1);
  });
});

describe("signReview", () => {
  it("a nurse gets FORBIDDEN and the database is unchanged", async () => {
    const { seriesId } = await chartedSeries(a);
    await refused(() => sign(a.actors.nurse, seriesId, { note: "Looks fine" }), "FORBIDDEN");
  });

  it("another clinic's physician gets NOT_FOUND and the database is unchanged", async () => {
    const { seriesId } = await chartedSeries(a);
    await refused(() => sign(b.actors.physician, seriesId, { note: "Looks fine" }), "NOT_FOUND");
  });

  it("signs once; a second signature is a CONFLICT; addenda come after, all audited", async () => {
    const { seriesId } = await chartedSeries(a);
    const auditBefore = await db.auditEvent.count({ where: { entityType: "Review" } });
    const { review } = await sign(a.actors.physician, seriesId, { note: "Meaningful response (mean 37.5%). Continue at 0.3 mg/kg/h." });
    expect(review.signedAt).not.toBeNull();
    const stored = await db.review.findUniqueOrThrow({ where: { id: review.id } });
    expect(stored).toMatchObject({ seriesId, sessionId: null, authorId: a.physician.id, addendumToId: null });
    await refused(() => sign(a.actors.physician, seriesId, { note: "Second thoughts" }), "CONFLICT");
    const { review: addendum } = await sign(a.actors.physician, seriesId, { note: "Patient called: relief lasted 4 days.", addendumToId: review.id });
    expect(addendum.addendumToId).toBe(review.id);
    expect(await db.auditEvent.count({ where: { entityType: "Review" } })).toBe(auditBefore + 2);
    const s = await getSeriesSummary({ actor: a.actors.nurse, seriesId });
    expect(s.reviews.map((r) => [r.id, r.addendumToId])).toEqual([[review.id, null], [addendum.id, review.id]]);
  });

  it("per-session reviews are their own scope, once each", async () => {
    const { seriesId, sessionIds } = await chartedSeries(a);
    const { review } = await sign(a.actors.physician, seriesId, { note: "Session 2 reviewed: rate above range acknowledged.", sessionId: sessionIds[1] }, at(12 * DAY_MIN));
    await refused(() => sign(a.actors.physician, seriesId, { note: "again", sessionId: sessionIds[1] }), "CONFLICT");
    // a per-session review does not take the series review's place: that one can still be signed
    const { review: seriesReview } = await sign(a.actors.physician, seriesId, { note: "Series reviewed." }, at(13 * DAY_MIN));
    expect(seriesReview.sessionId).toBeNull();
    // listed with its session's number, author and signature time, for the clinic only
    const listed = (await getSeriesSummary({ actor: a.actors.physician, seriesId })).reviews.find((r) => r.id === review.id);
    expect(listed).toEqual({
      id: review.id, note: "Session 2 reviewed: rate above range acknowledged.", sessionId: sessionIds[1], sessionSequence: 2,
      author: a.physician.name, signedAt: at(12 * DAY_MIN).toISOString(), addendumToId: null, createdAt: at(12 * DAY_MIN).toISOString(),
    });
    expect(await findSeriesReviews({ actor: a.actors.nurse, seriesId })).toContainEqual(listed);
    await expectAppError(findSeriesReviews({ actor: b.actors.physician, seriesId }), "NOT_FOUND");
  });

  it("refuses an addendum to a review of another series and a session of another series", async () => {
    const { seriesId } = await chartedSeries(a);
    const { review } = await sign(a.actors.physician, seriesId, { note: "Reviewed." });
    const other = await openSession(a, IV);
    await refused(() => sign(a.actors.physician, seriesId, { note: "x x x", sessionId: other.session.id }), "BAD_INPUT");
    await refused(() => sign(a.actors.physician, other.series.id, { note: "x x x", addendumToId: review.id }), "BAD_INPUT");
  });

  it("two concurrent signatures: exactly one lands", async () => {
    const fresh = await openSession(a, IV);
    const results = await Promise.allSettled([
      sign(a.actors.physician, fresh.series.id, { note: "first" }),
      sign(a.actors.physician, fresh.series.id, { note: "second" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await db.review.count({ where: { seriesId: fresh.series.id } })).toBe(1);
  });
});

describe("physician worklist", () => {
  /** A new patient on a weekly 3-session IV series from `startDate`, its first session charted that day at 14:00 UTC. */
  async function weeklySeriesWithOneSession(c: Clinic, startDate: string, familyName: string) {
    const patient = await createPatient(db, { clinicId: c.clinic.id, mrn: nextMrn(), givenName: "Wendy", familyName, birthDate: "1975-01-01", weightKg: 70 });
    const input = OrderSeriesSchema.parse({ protocolVersionId: c.protocolByName(IV).version.id, plannedSessions: 3, intervalDays: 7, startDate });
    const { series } = await db.$transaction((tx) => orderSeries(tx, { actor: c.actors.physician, patientId: patient.id, input }));
    const base = new Date(`${startDate}T14:00:00Z`);
    const first = await start(c.actors.nurse, series.id, base);
    await chartHour(c, first.session.id, base, 0.3, 6, 3);
    return series.id;
  }

  it("lists series due for their next session, most overdue first, and sessions no signed review covers yet", async () => {
    // a clinic of its own: the lists below are the whole worklist, not a filtered part of it
    const w = await freshClinic();
    const reviewed = await chartedSeries(w); // no interval: never due
    await sign(w.actors.physician, reviewed.seriesId, { note: "Reviewed." }, at(12 * DAY_MIN));
    const early = await weeklySeriesWithOneSession(w, "2026-11-02", "Early");
    const recent = await weeklySeriesWithOneSession(w, "2026-11-16", "Recent");
    // today 2026-12-01 (10:00 in New York): session 2 of `early` was due 11-02 + 7 = 11-09, 22 days ago;
    // of `recent` 11-16 + 7 = 11-23, 8 days ago
    const list = await findPhysicianWorklist({ actor: w.actors.physician, now: new Date("2026-12-01T15:00:00Z") });
    expect(list.seriesDue.map((s) => ({ id: s.seriesId, due: s.dueDate, overdue: s.daysOverdue, done: s.sessionsDone, planned: s.plannedSessions }))).toEqual([
      { id: early, due: "2026-11-09", overdue: 22, done: 1, planned: 3 },
      { id: recent, due: "2026-11-23", overdue: 8, done: 1, planned: 3 },
    ]);
    // the series review signed on day 12 covers both completed sessions of `reviewed`; the weekly ones
    // await review, the earlier completion first (neither has an open hard flag)
    expect(list.sessionsAwaitingReview.map((s) => [s.seriesId, s.sequence])).toEqual([[early, 1], [recent, 1]]);
    // another clinic's physician sees none of it
    const other = await findPhysicianWorklist({ actor: b.actors.physician, now: new Date("2026-12-01T15:00:00Z") });
    expect(other.seriesDue.filter((s) => [early, recent].includes(s.seriesId))).toEqual([]);
    expect(other.sessionsAwaitingReview.filter((s) => [early, recent, reviewed.seriesId].includes(s.seriesId))).toEqual([]);
  });
});
