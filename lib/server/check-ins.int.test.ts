// Patient check-ins against real PostgreSQL (docs/decisions/0020-patient-check-ins.md): the
// link's lifecycle (issue, re-issue, revoke, expiry; only a hash stored), one neutral answer
// for every unusable token, the submission (patient-reported FOLLOW_UP score attributed to the
// session it follows, PEG items, side effects, severe flag, audit), one per day, late
// check-ins dated, the rate limits shared through the database, and the review's view.
import { beforeAll, describe, expect, it } from "vitest";
import { readSeriesCheckIns, consumeRateLimit, hashToken, issueCheckInLink, NEUTRAL_MESSAGE, openCheckIn, revokeCheckInLinks, submitCheckIn, checkInWorklist } from "@/lib/server/check-ins";
import { getSeriesSummary } from "@/lib/server/reviews";
import { withDeferredAudit } from "@/lib/server/audit";
import { acknowledgeFlags } from "@/lib/server/sessions/flag-acknowledgement";
import type { Actor } from "@/lib/server/actor";
import { CheckInSchema } from "@/lib/validation/check-in";
import { changedTables, db, freshClinic, snapshotTables } from "@/test/helpers";
import { at, completedSession as completedSessionOf, expectAppError, T0, type Clinic } from "@/test/charting";

const DAY_MIN = 24 * 60;
const DAY_MS = 86_400_000;

let c: Clinic;
let other: Clinic;
beforeAll(async () => {
  c = await freshClinic();
  other = await freshClinic();
  await db.clinic.update({ where: { id: c.clinic.id }, data: { phone: "+1 555 0100" } });
});

const issue = (actor: Actor, seriesId: string, now = at(90)) =>
  db.$transaction((tx) => withDeferredAudit(tx, () => issueCheckInLink(tx, { actor, seriesId, now })));
const revoke = (actor: Actor, seriesId: string, now = at(95)) =>
  db.$transaction((tx) => withDeferredAudit(tx, () => revokeCheckInLinks(tx, { actor, seriesId, now })));
const good = { painNrs: 3, enjoymentNrs: 4, activityNrs: 5, sideEffects: [] };
const submit = (token: string, raw: Record<string, unknown>, now: Date) => submitCheckIn({ token, input: CheckInSchema.parse(raw), now });

/** A completed 60-minute session at T0 (09:00 New York), NRS 8 before, 4 after; completed at T0 + 80 min. */
const completedSession = (clinic: Clinic = c) => completedSessionOf(clinic, T0, { plannedSessions: 3 });

describe("check-in link lifecycle", () => {
  it("a nurse issues a 128-bit token; only its SHA-256 is stored, never the token, not in the audit either", async () => {
    const { series } = await completedSession();
    const issued = await issue(c.actors.nurse, series.id);
    expect(issued.token).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(issued.token, "base64url")).toHaveLength(16);
    const row = await db.checkInLink.findUniqueOrThrow({ where: { id: issued.linkId } });
    expect(row.tokenHash).toBe(hashToken(issued.token));
    expect(row.tokenHash).not.toContain(issued.token);
    const audit = await db.auditEvent.findMany({ where: { entityId: issued.linkId } });
    expect(audit.map((a) => a.action)).toEqual(["check-in-link.issue"]);
    expect(JSON.stringify(audit.map((a) => a.after))).not.toContain(issued.token);
    // no planned interval: 30 days [default] from now
    expect(issued.expiresAt).toBe(new Date(at(90).getTime() + 30 * DAY_MS).toISOString());
  });

  it("re-issuing revokes the previous link; revoking ends the current one; each answers the neutral null", async () => {
    const { series } = await completedSession();
    const first = await issue(c.actors.physician, series.id);
    expect(await openCheckIn({ token: first.token, now: at(100) })).toMatchObject({ firstName: "Ada", clinicName: c.clinic.name });
    const second = await issue(c.actors.nurse, series.id, at(110));
    expect(await openCheckIn({ token: first.token, now: at(120) })).toBeNull();
    expect(await openCheckIn({ token: second.token, now: at(120) })).not.toBeNull();
    await revoke(c.actors.nurse, series.id, at(130));
    expect(await openCheckIn({ token: second.token, now: at(131) })).toBeNull();
    await expectAppError(revoke(c.actors.nurse, series.id, at(132)), "CONFLICT");
  });

  it("an expired link answers null one millisecond after expiry, usable just before", async () => {
    const { series } = await completedSession();
    const issued = await issue(c.actors.nurse, series.id);
    const expiresMs = Date.parse(issued.expiresAt);
    expect(await openCheckIn({ token: issued.token, now: new Date(expiresMs - 1) })).not.toBeNull();
    expect(await openCheckIn({ token: issued.token, now: new Date(expiresMs) })).toBeNull();
  });

  it("unknown, malformed, expired and revoked tokens get the one same NOT_FOUND, and nothing is stored", async () => {
    const { series } = await completedSession();
    const expired = await issue(c.actors.nurse, series.id);
    const revoked = await issue(c.actors.nurse, series.id); // revokes `expired`'s link too
    await revoke(c.actors.nurse, series.id);
    const before = await snapshotTables();
    const answers = [];
    for (const [token, now] of [
      ["AAAAAAAAAAAAAAAAAAAAAA", at(200)],
      ["not a token at all ../..", at(200)],
      [expired.token, new Date(Date.parse(expired.expiresAt) + 1)],
      [revoked.token, at(200)],
    ] as const) {
      const err = await expectAppError(submit(token, good, now), "NOT_FOUND");
      answers.push(err.userMessage);
    }
    expect(new Set(answers)).toEqual(new Set([NEUTRAL_MESSAGE]));
    expect(await snapshotTables()).toEqual(before);
  });

  it("an administrator may not issue (403); another clinic's series is 404; nothing stored", async () => {
    const { series } = await completedSession();
    const before = await db.checkInLink.count({ where: { seriesId: series.id } });
    await expectAppError(issue(c.actors.admin, series.id), "FORBIDDEN");
    await expectAppError(issue(other.actors.nurse, series.id), "NOT_FOUND");
    await expectAppError(revoke(other.actors.physician, series.id), "NOT_FOUND");
    expect(await db.checkInLink.count({ where: { seriesId: series.id } })).toBe(before);
  });
});

describe("submitting a check-in", () => {
  it("stores a patient-reported FOLLOW_UP score on the session it follows, the PEG items and side effects, audited as the patient", async () => {
    const { series, session } = await completedSession();
    const { token } = await issue(c.actors.nurse, series.id);
    const day1 = at(DAY_MIN); // 2026-03-03 09:00 New York: day 1 after the session
    const r = await submit(token, { painNrs: 3, enjoymentNrs: 4, activityNrs: 6, sideEffects: [{ kind: "NAUSEA_VOMITING", severity: 1 }], note: "Slept well" }, day1);
    expect(r).toMatchObject({ checkIn: { day: "2026-03-03", late: false, lateFor: null }, severe: false });
    const score = await db.painScore.findFirstOrThrow({ where: { seriesId: series.id, reportedBy: "PATIENT" } });
    expect(score).toMatchObject({ sessionId: session.id, score: 3, scale: "NRS", phase: "FOLLOW_UP", enteredById: "patient", at: day1 });
    const checkIn = await db.checkIn.findUniqueOrThrow({ where: { id: r.checkIn.id }, include: { sideEffects: true } });
    expect(checkIn).toMatchObject({ painNrs: 3, enjoymentNrs: 4, activityNrs: 6, note: "Slept well", painScoreId: score.id, sessionId: session.id, hasSevereSideEffect: false, dueDay: null });
    expect(checkIn.sideEffects.map((s) => [s.kind, s.severity])).toEqual([["NAUSEA_VOMITING", 1]]);
    const audit = await db.auditEvent.findMany({ where: { entityId: { in: [checkIn.id, score.id] } }, orderBy: { id: "asc" } });
    expect(audit.map((a) => [a.action, a.actorId, a.clinicId])).toEqual([["check-in.submit", null, c.clinic.id], ["chart-follow-up", null, c.clinic.id]]);
    expect(audit[0]!.after).toMatchObject({ by: "Patient (check-in link)", painNrs: 3 });
    // no flag for a mild side effect
    expect(await db.flag.count({ where: { seriesId: series.id, code: "PATIENT_REPORTED_SEVERE_SIDE_EFFECT" } })).toBe(0);
  });

  it("one check-in per clinic-local day: a second the same day is a 409 and stores nothing", async () => {
    const { series } = await completedSession();
    const { token } = await issue(c.actors.nurse, series.id);
    await submit(token, good, at(DAY_MIN));
    const before = await snapshotTables();
    // 23:30 New York the same day (04:30Z the next UTC day): still the same clinic day
    const sameLocalDay = new Date("2026-03-04T04:30:00Z");
    await expectAppError(submit(token, good, sameLocalDay), "CONFLICT");
    expect(await snapshotTables()).toEqual(before);
    // the next clinic day is accepted
    await submit(token, good, new Date("2026-03-04T05:30:00Z"));
  });

  it("a late check-in is accepted and dated as sent, naming the expected day it answers", async () => {
    const { series } = await completedSession();
    const { token } = await issue(c.actors.nurse, series.id);
    // expected days 1, 3, 7 after 2026-03-02: 03-03, 03-05, 03-09. Sent on 03-04: late for 03-03.
    const r = await submit(token, good, at(2 * DAY_MIN));
    expect(r.checkIn).toMatchObject({ day: "2026-03-04", late: true, lateFor: "2026-03-03" });
    const row = await db.checkIn.findUniqueOrThrow({ where: { id: r.checkIn.id } });
    expect(row.dueDay?.toISOString().slice(0, 10)).toBe("2026-03-03");
  });

  it("a severe side effect raises a flag for a physician and answers the clinic's phone", async () => {
    const { series } = await completedSession();
    const { token } = await issue(c.actors.nurse, series.id);
    const r = await submit(token, { ...good, sideEffects: [{ kind: "HALLUCINATIONS", severity: 3 }, { kind: "DIZZINESS", severity: 2 }] }, at(DAY_MIN));
    expect(r).toMatchObject({ severe: true, clinicPhone: "+1 555 0100" });
    const flag = await db.flag.findFirstOrThrow({ where: { seriesId: series.id, code: "PATIENT_REPORTED_SEVERE_SIDE_EFFECT" } });
    expect(flag).toMatchObject({ severity: "SOFT", valueText: "Hallucinations: severe", raisedById: "patient", acknowledgedAt: null, sourceType: "CheckIn", sourceId: r.checkIn.id });
    const worklist = await checkInWorklist({ actor: c.actors.physician, now: at(DAY_MIN + 60), route: "page /" });
    expect(worklist.severe.map((s) => s.flagId)).toContain(flag.id);
    // the worklist names the patient: its read leaves an access row naming them (decision 0019)
    const access = await db.auditEvent.findFirstOrThrow({ where: { actorId: c.actors.physician.userId, action: "access.read", entityType: "PatientList" }, orderBy: { id: "desc" } });
    expect(access.after).toMatchObject({ route: "page /", role: "PHYSICIAN" });
    expect((access.after as { patientIds: string[] }).patientIds).toContain(series.patientId);
  });

  it("a physician's acknowledgement takes the severe report off the worklist; the check-in stays", async () => {
    const { series } = await completedSession();
    const { token } = await issue(c.actors.nurse, series.id);
    await submit(token, { ...good, sideEffects: [{ kind: "DISSOCIATION", severity: 3 }] }, at(DAY_MIN));
    const flag = await db.flag.findFirstOrThrow({ where: { seriesId: series.id, code: "PATIENT_REPORTED_SEVERE_SIDE_EFFECT" } });
    expect((await checkInWorklist({ actor: c.actors.physician, now: at(DAY_MIN + 60) })).severe.map((x) => x.flagId)).toContain(flag.id);
    // a nurse cannot acknowledge it
    await expectAppError(db.$transaction((tx) => withDeferredAudit(tx, () => acknowledgeFlags(tx, { actor: c.actors.nurse, flagIds: [flag.id], reason: "called the patient" }))), "FORBIDDEN");
    await db.$transaction((tx) => withDeferredAudit(tx, () => acknowledgeFlags(tx, { actor: c.actors.physician, flagIds: [flag.id], reason: "Called the patient: settled, no further action", now: at(DAY_MIN + 90) })));
    expect((await checkInWorklist({ actor: c.actors.physician, now: at(DAY_MIN + 120) })).severe.map((x) => x.flagId)).not.toContain(flag.id);
    const review = await readSeriesCheckIns({ actor: c.actors.physician, seriesId: series.id, now: at(DAY_MIN + 120) });
    expect(review.checkIns[0]!.sideEffects).toEqual([{ kind: "DISSOCIATION", label: "Dissociation", severity: 3, severityLabel: "severe" }]);
  });

  it("asks only about the clinic's chosen side effects, in plain words; any other kind is refused and nothing stored", async () => {
    const local = await freshClinic();
    await db.clinic.update({ where: { id: local.clinic.id }, data: { checkInSideEffectKinds: ["NAUSEA_VOMITING", "DIZZINESS"] } });
    const { series } = await completedSession(local);
    const { token } = await db.$transaction((tx) => withDeferredAudit(tx, () => issueCheckInLink(tx, { actor: local.actors.nurse, seriesId: series.id, now: at(90) })));
    const page = await openCheckIn({ token, now: at(DAY_MIN) });
    expect(page?.sideEffectKinds).toEqual([
      { code: "NAUSEA_VOMITING", label: "Feeling sick or being sick (vomiting)" },
      { code: "DIZZINESS", label: "Dizziness or feeling unsteady" },
    ]);
    const before = await snapshotTables();
    const err = await expectAppError(submit(token, { ...good, sideEffects: [{ kind: "ANXIETY", severity: 2 }] }, at(DAY_MIN)), "BAD_INPUT");
    expect(err.fields).toEqual({ sideEffects: "choose a side effect from the list" });
    expect(changedTables(before, await snapshotTables())).toEqual([]);
    await submit(token, { ...good, sideEffects: [{ kind: "DIZZINESS", severity: 2 }] }, at(DAY_MIN));
  });

  it("the physician's review uses the patient-reported follow-up for durability and lists the check-ins and missed days", async () => {
    const { series } = await completedSession();
    const { token } = await issue(c.actors.nurse, series.id);
    await submit(token, { painNrs: 5, enjoymentNrs: 5, activityNrs: 6, sideEffects: [] }, at(DAY_MIN)); // 37.5% relief from 8: still meaningful
    await submit(token, { painNrs: 7, enjoymentNrs: 8, activityNrs: 8, sideEffects: [] }, at(4 * DAY_MIN)); // 12.5%: relief ended
    const summary = await getSeriesSummary({ actor: c.actors.physician, seriesId: series.id });
    const row = summary.rows[0]!;
    expect(row.followUps.map((f) => f.nrs)).toEqual([5, 7]);
    expect(row.followUps.map((f) => f.reportedBy)).toEqual(["PATIENT", "PATIENT"]);
    expect(row.durabilityDays).not.toBeNull();
    const review = await readSeriesCheckIns({ actor: c.actors.physician, seriesId: series.id, now: at(10 * DAY_MIN) });
    expect(review.checkIns.map((x) => [x.day, x.peg])).toEqual([["2026-03-03", 5.3], ["2026-03-06", 7.7]]);
    // 03-05 was answered late by the check-in of 03-06; 03-09 (day 7) has none
    expect(review.missedDays).toEqual(["2026-03-09"]);
    const worklist = await checkInWorklist({ actor: c.actors.nurse, now: at(10 * DAY_MIN) });
    expect(worklist.missed.find((m) => m.seriesId === series.id)?.missedDays).toEqual(["2026-03-09"]);
  });

  it("counts missed days only while a link could be used: none without a link, none before it was issued or after it was revoked", async () => {
    // days 1, 3, 7 after the session of 03-02: 03-03, 03-05, 03-09
    const noLink = await completedSession();
    const review = await readSeriesCheckIns({ actor: c.actors.physician, seriesId: noLink.series.id, now: at(10 * DAY_MIN) });
    expect(review.expectedDays).toEqual(["2026-03-03", "2026-03-05", "2026-03-09"]);
    expect(review.missedDays).toEqual([]);
    expect((await checkInWorklist({ actor: c.actors.physician, now: at(10 * DAY_MIN) })).missed.map((m) => m.seriesId)).not.toContain(noLink.series.id);

    // issued on 03-06: 03-03 and 03-05 passed before the patient had a link
    const late = await completedSession();
    await issue(c.actors.nurse, late.series.id, at(4 * DAY_MIN));
    expect((await readSeriesCheckIns({ actor: c.actors.physician, seriesId: late.series.id, now: at(10 * DAY_MIN) })).missedDays).toEqual(["2026-03-09"]);

    // issued at discharge, revoked on 03-04 (no new one): 03-03 missed, 03-05 and 03-09 could not be answered
    const revoked = await completedSession();
    await issue(c.actors.nurse, revoked.series.id, at(90));
    await revoke(c.actors.nurse, revoked.series.id, at(2 * DAY_MIN));
    expect((await readSeriesCheckIns({ actor: c.actors.physician, seriesId: revoked.series.id, now: at(10 * DAY_MIN) })).missedDays).toEqual(["2026-03-03"]);
    const worklist = await checkInWorklist({ actor: c.actors.physician, now: at(10 * DAY_MIN) });
    expect(worklist.missed.find((m) => m.seriesId === revoked.series.id)?.missedDays).toEqual(["2026-03-03"]);
    expect(worklist.missed.find((m) => m.seriesId === late.series.id)?.missedDays).toEqual(["2026-03-09"]);
  });
});

describe("rate limits in PostgreSQL", () => {
  it("refuses the request past the limit within one window, and counts afresh in the next", async () => {
    const key = `test:${Math.random()}`;
    const now = new Date("2026-03-02T10:15:00Z");
    for (let i = 0; i < 3; i++) await consumeRateLimit(key, 3, now);
    await expectAppError(consumeRateLimit(key, 3, now), "TOO_MANY_REQUESTS");
    await expectAppError(consumeRateLimit(key, 3, new Date("2026-03-02T10:59:59Z")), "TOO_MANY_REQUESTS");
    await consumeRateLimit(key, 3, new Date("2026-03-02T11:00:00Z"));
  });

  it("concurrent requests (as from several app instances) never pass more than the limit", async () => {
    const key = `test:${Math.random()}`;
    const now = new Date("2026-03-02T10:15:00Z");
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => consumeRateLimit(key, 5, now)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(5);
  });
});
