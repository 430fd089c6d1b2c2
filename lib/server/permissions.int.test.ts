// Role and clinic isolation at the service layer. Each refusal asserts the AppError code AND
// that no table changed (STYLE.md: a permission test asserts the status and the database).
import { beforeAll, describe, expect, it } from "vitest";
import { createPatient } from "@/prisma/seed/factories";
import { getPatient } from "@/lib/server/patients";
import { orderSeries } from "@/lib/server/series";
import {
  acknowledgeFlags, addAddendum, chartDoseEvent, chartVitals, completeSession, getSessionChart, recordPain, retractEntry, signSession, startSession,
} from "@/lib/server/sessions";
import { OrderSeriesSchema } from "@/lib/validation/series";
import { CompleteSessionSchema, DoseEventSchema, PainSchema, StartSessionSchema, VitalsSchema } from "@/lib/validation/session";
import { db, freshClinic, snapshotTables } from "@/test/helpers";
import { at, expectAppError, iso, nextMrn, normalVitals, openSession, vitals, type Clinic } from "@/test/charting";

const IV = "IV infusion (routes table)";

let a: Clinic;
let b: Clinic;
let A: { patientId: string; seriesId: string; sessionId: string; flagId: string; vitalsId: string; protocolVersionId: string };
let bSessionId: string;

const vitalsInput = (raw: Record<string, unknown> = {}) => VitalsSchema.parse({ at: iso(10), ...normalVitals, ...raw });
const startInput = () => StartSessionSchema.parse({ weightKg: 70.4, concentrationMgPerMl: 1, consentConfirmed: true });

/** Runs `p`, expects `code`, and checks that no table changed. */
async function refused(p: () => Promise<unknown>, code: "FORBIDDEN" | "NOT_FOUND" | "BAD_INPUT") {
  const before = await snapshotTables();
  await expectAppError(p(), code);
  expect(await snapshotTables()).toEqual(before);
}

beforeAll(async () => {
  [a, b] = [await freshClinic(), await freshClinic()];
  const { patient, series, session } = await openSession(a, IV);
  const v = await vitals(a.actors.nurse, session.id, at(5), { systolicMmHg: 170 }); // SBP_HIGH
  A = {
    patientId: patient.id, seriesId: series.id, sessionId: session.id, flagId: v.flags[0]!.id, vitalsId: v.vitals.id,
    protocolVersionId: a.protocolByName(IV).version.id,
  };
  bSessionId = (await openSession(b, IV)).session.id;
});

describe("roles", () => {
  it("a nurse cannot order a series (FORBIDDEN)", async () => {
    const input = OrderSeriesSchema.parse({ protocolVersionId: A.protocolVersionId, plannedSessions: 3, startDate: "2026-03-01" });
    await refused(() => db.$transaction((tx) => orderSeries(tx, { actor: a.actors.nurse, patientId: A.patientId, input })), "FORBIDDEN");
  });

  it("a nurse cannot acknowledge flags (FORBIDDEN)", async () => {
    await refused(() => db.$transaction((tx) => acknowledgeFlags(tx, { actor: a.actors.nurse, flagIds: [A.flagId], reason: "looks fine" })), "FORBIDDEN");
    expect((await db.flag.findUniqueOrThrow({ where: { id: A.flagId } })).acknowledgedAt).toBeNull();
  });

  it("an admin cannot chart, start a session or acknowledge flags (FORBIDDEN)", async () => {
    const admin = a.actors.admin;
    await refused(() => db.$transaction((tx) => chartVitals(tx, { actor: admin, sessionId: A.sessionId, input: vitalsInput(), now: at(10) })), "FORBIDDEN");
    await refused(() => db.$transaction((tx) => chartDoseEvent(tx, {
      actor: admin, sessionId: A.sessionId, input: DoseEventSchema.parse({ type: "START", at: iso(10), rateMgPerKgPerH: 0.2 }), now: at(10),
    })), "FORBIDDEN");
    await refused(() => db.$transaction((tx) => recordPain(tx, {
      actor: admin, sessionId: A.sessionId, input: PainSchema.parse({ at: iso(10), score: 5, scale: "NRS", phase: "INTRA" }), now: at(10),
    })), "FORBIDDEN");
    await refused(() => db.$transaction((tx) => startSession(tx, { actor: admin, seriesId: A.seriesId, input: startInput(), now: at(10) })), "FORBIDDEN");
    await refused(() => db.$transaction((tx) => acknowledgeFlags(tx, { actor: admin, flagIds: [A.flagId], reason: "admin says ok" })), "FORBIDDEN");
  });

  it("the same physician of clinic A can read what clinic B cannot (the NOT_FOUNDs below are isolation, not broken ids)", async () => {
    expect((await getPatient({ actor: a.actors.physician, patientId: A.patientId })).id).toBe(A.patientId);
    expect((await getSessionChart({ actor: a.actors.physician, sessionId: A.sessionId, now: at(10) })).id).toBe(A.sessionId);
  });
});

describe("clinic isolation: clinic B's physician gets NOT_FOUND for clinic A's records", () => {
  it("getPatient", async () => {
    await refused(() => getPatient({ actor: b.actors.physician, patientId: A.patientId }), "NOT_FOUND");
  });

  it("orderSeries on A's patient; A's protocol version for B's own patient is BAD_INPUT", async () => {
    const input = OrderSeriesSchema.parse({ protocolVersionId: b.protocolByName(IV).version.id, plannedSessions: 3, startDate: "2026-03-01" });
    await refused(() => db.$transaction((tx) => orderSeries(tx, { actor: b.actors.physician, patientId: A.patientId, input })), "NOT_FOUND");
    const own = await createPatient(db, { clinicId: b.clinic.id, mrn: nextMrn(), givenName: "Bea", familyName: "B", birthDate: "1990-01-01" });
    const foreignVersion = OrderSeriesSchema.parse({ protocolVersionId: A.protocolVersionId, plannedSessions: 3, startDate: "2026-03-01" });
    await refused(() => db.$transaction((tx) => orderSeries(tx, { actor: b.actors.physician, patientId: own.id, input: foreignVersion })), "BAD_INPUT");
  });

  it("startSession on A's series", async () => {
    await refused(() => db.$transaction((tx) => startSession(tx, { actor: b.actors.physician, seriesId: A.seriesId, input: startInput(), now: at(10) })), "NOT_FOUND");
  });

  it("chartVitals, chartDoseEvent, retractEntry, completeSession, signSession and addAddendum on A's session", async () => {
    const p = b.actors.physician;
    await refused(() => db.$transaction((tx) => chartVitals(tx, { actor: p, sessionId: A.sessionId, input: vitalsInput(), now: at(10) })), "NOT_FOUND");
    await refused(() => db.$transaction((tx) => chartDoseEvent(tx, {
      actor: p, sessionId: A.sessionId, input: DoseEventSchema.parse({ type: "START", at: iso(10), rateMgPerKgPerH: 0.2 }), now: at(10),
    })), "NOT_FOUND");
    await refused(() => db.$transaction((tx) => retractEntry(tx, {
      actor: p, sessionId: A.sessionId, kind: "vitals", entryId: A.vitalsId, correctionReason: "not ours", now: at(10),
    })), "NOT_FOUND");
    await refused(() => db.$transaction((tx) => completeSession(tx, {
      actor: p, sessionId: A.sessionId, input: CompleteSessionSchema.parse({ dischargeReady: true }), now: at(10),
    })), "NOT_FOUND");
    await refused(() => db.$transaction((tx) => signSession(tx, { actor: p, sessionId: A.sessionId, now: at(10) })), "NOT_FOUND");
    await refused(() => db.$transaction((tx) => addAddendum(tx, { actor: p, sessionId: A.sessionId, text: "x", now: at(10) })), "NOT_FOUND");
  });

  it("correcting A's vitals row from B's own session is refused (the row is not part of B's session)", async () => {
    const input = vitalsInput({ correctsId: A.vitalsId, correctionReason: "cross-clinic" });
    await refused(() => db.$transaction((tx) => chartVitals(tx, { actor: b.actors.nurse, sessionId: bSessionId, input, now: at(10) })), "BAD_INPUT");
    expect(await db.vitalSigns.count({ where: { correctsId: A.vitalsId } })).toBe(0);
  });

  it("getSessionChart of A's session", async () => {
    await refused(() => getSessionChart({ actor: b.actors.physician, sessionId: A.sessionId, now: at(10) }), "NOT_FOUND");
  });

  it("acknowledgeFlags of A's flag, alone or mixed with one of B's own", async () => {
    const p = b.actors.physician;
    await refused(() => db.$transaction((tx) => acknowledgeFlags(tx, { actor: p, flagIds: [A.flagId], reason: "not ours" })), "NOT_FOUND");
    const own = await vitals(b.actors.nurse, bSessionId, at(5), { spo2Pct: 88 }); // SPO2_LOW in B
    const ownFlagId = own.flags[0]!.id;
    await refused(() => db.$transaction((tx) => acknowledgeFlags(tx, { actor: p, flagIds: [ownFlagId, A.flagId], reason: "mixed" })), "NOT_FOUND");
    const flags = await db.flag.findMany({ where: { id: { in: [A.flagId, ownFlagId] } } });
    expect(flags.map((f) => f.acknowledgedAt)).toEqual([null, null]);
  });
});
