// Access auditing against real PostgreSQL (docs/decisions/0019-access-audit-and-user-cache.md):
// every read service that shows patient data leaves exactly one access row per call, naming
// who, the role, the record, the patients and the route; a refused read (another clinic's
// record) leaves none; access rows are sealed into the chain like every audit row; the
// admin's access report filters, pages with a cursor, stays in its clinic, is refused to
// other roles and is itself audited.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccessLogQuerySchema } from "@/lib/validation/access-log";
import { ExportQuerySchema } from "@/lib/validation/export";
import { db, freshClinic, type FreshClinic } from "@/test/helpers";
import { at, expectAppError, openSession } from "@/test/charting";
import { findAccessLog, findRecentPatientAccesses } from "./access-log";
import type { Actor } from "./actor-type";
import { auditFilterChoices, findAuditEvents } from "./audit-log";
import { sealCommitted } from "./audit-seal/seal";
import { verifyAuditChain } from "./audit-verify";
import { getBoard } from "./board";
import { findNurseWorklist, findPhysicianWorklist } from "./dashboard";
import { openSessionExport } from "./exports/session-export";
import { findPatients, getPatient } from "./patients";
import { findSeriesReviews, getSeriesSummary } from "./reviews";
import { getSessionChart } from "./sessions";

const IV = "IV infusion (routes table)";
let a: FreshClinic;
let b: FreshClinic;
let patientId: string;
let seriesId: string;
let sessionId: string;

type AccessRow = { actorId: string | null; entityType: string; entityId: string; after: { route: string; role: string; patientIds: string[] }; seq: bigint | null };

/** The access rows written by `read`, and its result. */
async function accessRowsOf<T>(read: () => Promise<T>): Promise<{ rows: AccessRow[]; result: T }> {
  const before = (await db.$queryRaw<{ id: bigint }[]>`SELECT coalesce(max(id), 0) AS id FROM "AuditEvent"`)[0]!.id;
  const result = await read();
  const rows = await db.$queryRaw<AccessRow[]>`
    SELECT "actorId", "entityType", "entityId", after, seq FROM "AuditEvent" WHERE id > ${before} AND action = 'access.read' ORDER BY id`;
  return { rows, result };
}

function expectOneRow(rows: AccessRow[], actor: Actor, want: { route: string; entityType: string; entityId?: string; patientIds: string[] }) {
  expect(rows).toHaveLength(1);
  const r = rows[0]!;
  expect(r.actorId).toBe(actor.userId);
  expect(r.entityType).toBe(want.entityType);
  if (want.entityId) expect(r.entityId).toBe(want.entityId);
  expect(r.after.route).toBe(want.route);
  expect(r.after.role).toBe(actor.role);
  expect([...r.after.patientIds].sort()).toEqual([...want.patientIds].sort());
  // inserted unsealed: the sealer links it later (decision 0018)
  expect(r.seq).toBeNull();
}

beforeAll(async () => {
  a = await freshClinic();
  b = await freshClinic();
  const s = await openSession(a, IV, at(0));
  patientId = s.patient.id;
  seriesId = s.series.id;
  sessionId = s.session.id;
});

describe("every read service writes one access row per call", () => {
  it("the session chart", async () => {
    const { rows } = await accessRowsOf(() => getSessionChart({ actor: a.actors.nurse, sessionId, route: "GET /api/sessions/[id]" }));
    expectOneRow(rows, a.actors.nurse, { route: "GET /api/sessions/[id]", entityType: "InfusionSession", entityId: sessionId, patientIds: [patientId] });
  });

  it("the patient page", async () => {
    const { rows } = await accessRowsOf(() => getPatient({ actor: a.actors.physician, patientId, route: "page /patients/[id]" }));
    expectOneRow(rows, a.actors.physician, { route: "page /patients/[id]", entityType: "Patient", entityId: patientId, patientIds: [patientId] });
  });

  it("the series review and its reviews", async () => {
    const summary = await accessRowsOf(() => getSeriesSummary({ actor: a.actors.physician, seriesId, route: "page /series/[id]" }));
    expectOneRow(summary.rows, a.actors.physician, { route: "page /series/[id]", entityType: "Series", entityId: seriesId, patientIds: [patientId] });
    const reviews = await accessRowsOf(() => findSeriesReviews({ actor: a.actors.nurse, seriesId, route: "GET /api/series/[id]/reviews" }));
    expectOneRow(reviews.rows, a.actors.nurse, { route: "GET /api/series/[id]/reviews", entityType: "Series", entityId: seriesId, patientIds: [patientId] });
  });

  it("the patient list and the search: one row naming every patient listed", async () => {
    const list = await accessRowsOf(() => findPatients({ actor: a.actors.nurse, route: "GET /api/patients" }));
    expectOneRow(list.rows, a.actors.nurse, { route: "GET /api/patients", entityType: "PatientList", patientIds: list.result.map((p) => p.id) });
    expect(list.result.map((p) => p.id)).toContain(patientId);
    const none = await accessRowsOf(() => findPatients({ actor: a.actors.nurse, query: "no-such-patient-zzz", route: "POST /api/patients/search" }));
    expect(none.result).toEqual([]);
    expect(none.rows).toEqual([]); // nothing shown, nothing to record
  });

  it("the board: one row for all the patients on it", async () => {
    const second = await openSession(a, IV, at(0));
    const { rows, result } = await accessRowsOf(() => getBoard({ actor: a.actors.physician, route: "GET /api/board" }));
    const shown = result.tiles.flatMap((t) => (t.session ? [t.session.patient.id] : []));
    expect(shown).toEqual(expect.arrayContaining([patientId, second.patient.id]));
    expectOneRow(rows, a.actors.physician, { route: "GET /api/board", entityType: "Board", entityId: a.clinic.id, patientIds: shown });
  });

  it("the worklists", async () => {
    const nurse = await accessRowsOf(() => findNurseWorklist({ actor: a.actors.nurse, route: "page /" }));
    expect(nurse.rows).toHaveLength(1);
    expect(nurse.rows[0]!.after.patientIds).toContain(patientId);
    const physician = await accessRowsOf(() => findPhysicianWorklist({ actor: a.actors.physician, route: "page /" }));
    expect(physician.rows.length).toBeLessThanOrEqual(1);
  });

  it("an export: one row naming the exported patients before the first byte", async () => {
    const { rows, result } = await accessRowsOf(() =>
      openSessionExport({ actor: a.actors.physician, query: ExportQuerySchema.parse({ format: "csv", status: "all" }), route: "GET /api/exports/sessions" }));
    await result.stream.cancel();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.entityType).toBe("Export");
    expect(rows[0]!.entityId).toBe(result.exportId);
    expect(rows[0]!.after.patientIds).toContain(patientId);
  });

  it("the audit viewer: its patient filter lists every patient, a patient filter records that patient", async () => {
    const choices = await accessRowsOf(() => auditFilterChoices({ actor: a.actors.admin, route: "page /admin/audit" }));
    expect(choices.rows[0]!.after.patientIds).toContain(patientId);
    const filtered = await accessRowsOf(() => findAuditEvents({ actor: a.actors.admin, filter: { patientId }, route: "page /admin/audit" }));
    expectOneRow(filtered.rows, a.actors.admin, { route: "page /admin/audit", entityType: "Patient", entityId: patientId, patientIds: [patientId] });
  });

  it("another clinic's record: 404 and no access row", async () => {
    const chart = await accessRowsOf(() => expectAppError(getSessionChart({ actor: b.actors.nurse, sessionId }), "NOT_FOUND"));
    const patient = await accessRowsOf(() => expectAppError(getPatient({ actor: b.actors.physician, patientId }), "NOT_FOUND"));
    const summary = await accessRowsOf(() => expectAppError(getSeriesSummary({ actor: b.actors.physician, seriesId }), "NOT_FOUND"));
    expect([...chart.rows, ...patient.rows, ...summary.rows]).toEqual([]);
  });

  it("access rows are sealed into the clinic's chain like every audit row", async () => {
    await getSessionChart({ actor: a.actors.nurse, sessionId });
    await sealCommitted(db);
    const unsealed = await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM "AuditEvent" WHERE "clinicId" = ${a.clinic.id} AND action = 'access.read' AND seq IS NULL`;
    expect(Number(unsealed[0]!.n)).toBe(0);
    expect((await verifyAuditChain(db, a.clinic.id)).broken).toEqual([]);
  });
});

describe("who accessed this patient, and the access report", () => {
  afterAll(() => undefined);

  it("lists the patient's recent accesses, newest first, with the user, role and route", async () => {
    await getSessionChart({ actor: a.actors.physician, sessionId, route: "page /sessions/[id]" });
    const recent = await findRecentPatientAccesses({ actor: a.actors.admin, patientId });
    expect(recent[0]).toMatchObject({ userId: a.actors.physician.userId, userName: a.actors.physician.name, role: "PHYSICIAN", route: "page /sessions/[id]", recordType: "InfusionSession", recordId: sessionId });
    const ids = recent.map((r) => BigInt(r.id));
    expect([...ids].sort((x, y) => (x > y ? -1 : 1))).toEqual(ids);
    await expectAppError(findRecentPatientAccesses({ actor: a.actors.physician, patientId }), "FORBIDDEN");
  });

  it("filters by patient, user and time, pages with a cursor, and is audited itself", async () => {
    const from = new Date().toISOString();
    for (let i = 0; i < 3; i++) await getSessionChart({ actor: a.actors.nurse, sessionId, route: "GET /api/sessions/[id]" });
    const query = AccessLogQuerySchema.parse({ patientId, userId: a.actors.nurse.userId, from, limit: "2" });
    const page1 = await accessRowsOf(() => findAccessLog({ actor: a.actors.admin, query, route: "GET /api/admin/access-log" }));
    expect(page1.result.entries).toHaveLength(2);
    expect(page1.result.nextCursor).not.toBeNull();
    const page2 = await findAccessLog({ actor: a.actors.admin, query: { ...query, cursor: page1.result.nextCursor! } });
    expect(page2.entries).toHaveLength(1);
    expect(page2.nextCursor).toBeNull();
    const all = [...page1.result.entries, ...page2.entries];
    expect(new Set(all.map((e) => e.id)).size).toBe(3);
    for (const e of all) expect(e).toMatchObject({ userId: a.actors.nurse.userId, role: "NURSE", patientIds: [patientId] });
    // a window in the past holds none of them
    const old = await findAccessLog({ actor: a.actors.admin, query: AccessLogQuerySchema.parse({ patientId, to: from }) });
    expect(old.entries.filter((e) => e.userId === a.actors.nurse.userId && Date.parse(e.at) >= Date.parse(from))).toEqual([]);
    // reading the report is itself audited, once per page
    const reads = await db.auditEvent.findMany({ where: { clinicId: a.clinic.id, action: "access-log.read", actorId: a.actors.admin.userId } });
    expect(reads.length).toBeGreaterThanOrEqual(3);
    expect((reads.at(-1)!.after as { filter: { patientId: string } }).filter.patientId).toBe(patientId);
  });

  it("stays in the admin's clinic and is refused to other roles", async () => {
    const theirs = await findAccessLog({ actor: b.actors.admin, query: AccessLogQuerySchema.parse({ patientId }) });
    expect(theirs.entries).toEqual([]);
    const everything = await findAccessLog({ actor: b.actors.admin, query: {} });
    expect(everything.entries.some((e) => e.patientIds.includes(patientId))).toBe(false);
    await expectAppError(findAccessLog({ actor: a.actors.nurse, query: {} }), "FORBIDDEN");
    await expectAppError(findAccessLog({ actor: a.actors.physician, query: {} }), "FORBIDDEN");
  });

  it("the query schema refuses bad input with a field message", () => {
    for (const bad of [{ patientId: "x y" }, { from: "yesterday" }, { cursor: "0" }, { cursor: "-1" }, { limit: "0" }, { limit: "201" }, { extra: "1" },
      { from: "2026-01-02T00:00:00Z", to: "2026-01-01T00:00:00Z" }])
      expect(AccessLogQuerySchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });
});
