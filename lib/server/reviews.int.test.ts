// Physician review (issue 4): the series summary against real PostgreSQL, review signatures
// (locked once signed, addenda after), and the permission rules with an unchanged database.
import { beforeAll, describe, expect, it } from "vitest";
import { findPhysicianWorklist } from "@/lib/server/dashboard";
import { findSeriesReviews, getSeriesSummary, signReview } from "@/lib/server/reviews";
import { acknowledgeFlags, completeSession } from "@/lib/server/sessions";
import { orderSeries } from "@/lib/server/series";
import { SignReviewSchema } from "@/lib/validation/review";
import { CompleteSessionSchema } from "@/lib/validation/session";
import { OrderSeriesSchema } from "@/lib/validation/series";
import type { Actor } from "@/lib/server/actor";
import { db, freshClinic, tableCounts } from "@/test/helpers";
import { at, dose, expectAppError, openSession, pain, start, T0, vitals, type Clinic } from "@/test/charting";

const IV = "IV infusion (routes table)"; // documented 0.1-0.5 mg/kg/h
const DAY_MIN = 24 * 60;

let a: Clinic;
let b: Clinic;
let seriesId: string;
let patientId: string;
let sessionIds: string[];

function complete(actor: Actor, sessionId: string, now: Date) {
  const input = CompleteSessionSchema.parse({ dischargeReady: true });
  return db.$transaction((tx) => completeSession(tx, { actor, sessionId, input, now }));
}
const sign = (actor: Actor, id: string, raw: Record<string, unknown>, now = new Date()) =>
  db.$transaction((tx) => signReview(tx, { actor, seriesId: id, input: SignReviewSchema.parse(raw), now }));

/** One 60-minute session at `rateMgPerKgPerH`, pain pre/post, completed 20 min after the stop. */
async function chartHour(c: Clinic, sessionId: string, base: Date, rateMgPerKgPerH: number, pre: number, post: number) {
  const nurse = c.actors.nurse;
  await pain(nurse, sessionId, at(2, base), { score: pre, phase: "PRE" });
  await dose(nurse, sessionId, at(3, base), { type: "START", rateMgPerKgPerH, reason: "as ordered" });
  await vitals(nurse, sessionId, at(5, base));
  await dose(nurse, sessionId, at(63, base), { type: "STOP" });
  await pain(nurse, sessionId, at(70, base), { score: post, phase: "POST" });
  await complete(nurse, sessionId, at(80, base));
}

/** Runs `p`, expects `code`, and checks that no table changed. */
async function refused(p: () => Promise<unknown>, code: "FORBIDDEN" | "NOT_FOUND" | "CONFLICT" | "BAD_INPUT") {
  const before = await tableCounts();
  await expectAppError(p(), code);
  expect(await tableCounts()).toEqual(before);
}

beforeAll(async () => {
  [a, b] = [await freshClinic(), await freshClinic()];
  const first = await openSession(a, IV, T0, { plannedSessions: 4 });
  seriesId = first.series.id;
  patientId = first.patient.id;
  await chartHour(a, first.session.id, T0, 0.3, 8, 6); // 25%, 0.3 mg/kg
  // follow-up 3 days after the infusion start: back at 8 (baseline)
  await pain(a.actors.nurse, first.session.id, at(3 * DAY_MIN), { score: 8, phase: "FOLLOW_UP" });
  const base2 = at(7 * DAY_MIN);
  const second = await start(a.actors.nurse, seriesId, base2);
  await chartHour(a, second.session.id, base2, 0.6, 8, 4); // 50%, 0.6 mg/kg, above the documented 0.5
  sessionIds = [first.session.id, second.session.id];
});

describe("getSeriesSummary", () => {
  it("answers the per-session rows and the response summary (hand-computed)", async () => {
    const s = await getSeriesSummary({ actor: a.actors.physician, seriesId, now: at(10 * DAY_MIN) });
    expect(s.rows.map((r) => ({ seq: r.sequence, pre: r.preNrs, post: r.postNrs, relief: r.reliefPct, total: r.totalMgPerKg, peak: r.peakRateMgPerKgPerH, zone: r.peakRateZone }))).toEqual([
      { seq: 1, pre: 8, post: 6, relief: 25, total: 0.3, peak: 0.3, zone: "IN_RANGE" },
      { seq: 2, pre: 8, post: 4, relief: 50, total: 0.6, peak: 0.6, zone: "ABOVE_SOFT" },
    ]);
    for (const r of s.rows) {
      expect(r).toHaveProperty("date");
      expect(r).toHaveProperty("maxSideEffectSeverity", 0);
      expect(r.openFlags + r.ackedFlags).toBeGreaterThanOrEqual(0);
    }
    // the 0.6 mg/kg/h start raised a soft flag on session 2
    expect(s.rows[1]!.openFlags).toBeGreaterThanOrEqual(1);
    // stop at +63 min, follow-up at +3 days: 3 d - 63 min = 2.956 d -> 3.0
    expect(s.rows[0]!.durabilityDays).toBe(3);
    expect(s.response).toMatchObject({ responder: "MEANINGFUL", isResponder30: true, isResponder50: false, meanReliefPct: 37.5, sessionsWithScores: 2, meanDurabilityDays: 3 });
    expect(s.schedule).toMatchObject({ plannedSessions: 4, sessionsDone: 2, sessionsInProgress: 0 });
    expect(s.protocol.band).toMatchObject({ minUgPerKgPerH: 100, maxUgPerKgPerH: 500, hardMaxUgPerKgPerH: 1000 });
    expect(s.previous).toBeNull();
    expect(s.flags.every((f) => f.acknowledgedAt === null)).toBe(true);
  });

  it("is scoped to the clinic: another clinic's physician gets NOT_FOUND", async () => {
    await expectAppError(getSeriesSummary({ actor: b.actors.physician, seriesId }), "NOT_FOUND");
  });

  it("compares with the patient's previous series on the same protocol", async () => {
    const version = a.protocolByName(IV).version;
    const input = OrderSeriesSchema.parse({ protocolVersionId: version.id, plannedSessions: 2, startDate: "2026-06-01" });
    const later = await db.$transaction((tx) => orderSeries(tx, { actor: a.actors.physician, patientId, input }));
    const base = new Date("2026-06-01T14:00:00Z");
    const s1 = await start(a.actors.nurse, later.series.id, base);
    await chartHour(a, s1.session.id, base, 0.3, 6, 3); // 50%
    const s = await getSeriesSummary({ actor: a.actors.physician, seriesId: later.series.id, now: at(60, base) });
    expect(s.previous?.seriesId).toBe(seriesId);
    expect(s.previous?.comparison).toMatchObject({ meanReliefPctDelta: 12.5, meanTotalMgPerKgDelta: -0.15, sessionsDoneDelta: -1 });
    // and the earlier series has no previous one
    expect((await getSeriesSummary({ actor: a.actors.physician, seriesId })).previous).toBeNull();
  });
});

describe("flags: only physicians acknowledge", () => {
  it("a nurse gets FORBIDDEN and nothing changes; a physician's acknowledgement shows who and why", async () => {
    const flag = await db.flag.findFirstOrThrow({ where: { seriesId, acknowledgedAt: null } });
    await refused(() => db.$transaction((tx) => acknowledgeFlags(tx, { actor: a.actors.nurse, flagIds: [flag.id], reason: "seen" })), "FORBIDDEN");
    await refused(() => db.$transaction((tx) => acknowledgeFlags(tx, { actor: b.actors.physician, flagIds: [flag.id], reason: "seen" })), "NOT_FOUND");
    await db.$transaction((tx) => acknowledgeFlags(tx, { actor: a.actors.physician, flagIds: [flag.id], reason: "Titrated on purpose, tolerated" }));
    const s = await getSeriesSummary({ actor: a.actors.physician, seriesId });
    const acked = s.flags.find((f) => f.id === flag.id)!;
    expect(acked).toMatchObject({ acknowledgedBy: a.physician.name, ackReason: "Titrated on purpose, tolerated" });
    expect(s.flagCounts.acknowledged).toBeGreaterThanOrEqual(1);
    expect(await db.auditEvent.count({ where: { entityId: flag.id, action: "flag.acknowledge" } })).toBe(1);
  });
});

describe("signReview", () => {
  it("a nurse gets FORBIDDEN and the database is unchanged", async () => {
    await refused(() => sign(a.actors.nurse, seriesId, { note: "Looks fine" }), "FORBIDDEN");
  });

  it("another clinic's physician gets NOT_FOUND and the database is unchanged", async () => {
    await refused(() => sign(b.actors.physician, seriesId, { note: "Looks fine" }), "NOT_FOUND");
  });

  it("signs once; a second signature is a CONFLICT; addenda come after, all audited", async () => {
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
    const { review } = await sign(a.actors.physician, seriesId, { note: "Session 2 reviewed: rate above range acknowledged.", sessionId: sessionIds[1] }, at(12 * DAY_MIN));
    await refused(() => sign(a.actors.physician, seriesId, { note: "again", sessionId: sessionIds[1] }), "CONFLICT");
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
    const other = await openSession(a, IV);
    await refused(() => sign(a.actors.physician, seriesId, { note: "x x x", sessionId: other.session.id }), "BAD_INPUT");
    const r = await db.review.findFirstOrThrow({ where: { seriesId } });
    await refused(() => sign(a.actors.physician, other.series.id, { note: "x x x", addendumToId: r.id }), "BAD_INPUT");
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
  it("lists series due for their next session, most overdue first", async () => {
    const version = a.protocolByName(IV).version;
    const input = OrderSeriesSchema.parse({ protocolVersionId: version.id, plannedSessions: 3, intervalDays: 7, startDate: "2026-11-02" });
    const weekly = await db.$transaction((tx) => orderSeries(tx, { actor: a.actors.physician, patientId, input }));
    await start(a.actors.nurse, weekly.series.id, new Date("2026-11-02T14:00:00Z")).then((r) => chartHour(a, r.session.id, new Date("2026-11-02T14:00:00Z"), 0.3, 6, 3));
    // 2026-12-01: session 2 was planned 11-09 (and 11-02 + 7 = 11-09): 22 days overdue
    const w = await findPhysicianWorklist({ actor: a.actors.physician, now: new Date("2026-12-01T15:00:00Z") });
    expect(w.seriesDue.find((s) => s.seriesId === weekly.series.id)).toMatchObject({ dueDate: "2026-11-09", daysOverdue: 22, sessionsDone: 1, plannedSessions: 3 });
    // the series review signed above covers the sessions completed before it; the new one awaits review
    expect(w.sessionsAwaitingReview.some((s) => s.seriesId === seriesId)).toBe(false);
    expect(w.sessionsAwaitingReview.some((s) => s.seriesId === weekly.series.id)).toBe(true);
    const due = w.seriesDue.filter((s) => s.patientId === patientId);
    expect(due.length).toBeGreaterThanOrEqual(1);
    for (let i = 1; i < w.seriesDue.length; i++) expect(w.seriesDue[i - 1]!.daysOverdue).toBeGreaterThanOrEqual(w.seriesDue[i]!.daysOverdue);
    expect((await findPhysicianWorklist({ actor: b.actors.physician })).seriesDue.some((s) => s.patientId === patientId)).toBe(false);
  });
});
