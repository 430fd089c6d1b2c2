// Audit events (decisions 0003, 0018): every clinical write leaves its audit rows in the same
// transaction; the sealer numbers and hash-chains them per clinic (sealed explicitly here,
// where no sealer runs); the database refuses every change but the one seal.
import { beforeAll, describe, expect, it } from "vitest";
import { registerPatient } from "@/lib/server/patients";
import { orderSeries } from "@/lib/server/series";
import {
  acknowledgeFlags, addAddendum, chartVitals, completeSession, recordSideEffect, retractEntry, signSession,
} from "@/lib/server/sessions";
import { RegisterPatientSchema } from "@/lib/validation/patient";
import { OrderSeriesSchema } from "@/lib/validation/series";
import { CompleteSessionSchema, SideEffectSchema, VitalsSchema } from "@/lib/validation/session";
import { db, freshClinic, snapshotTables, tableCounts } from "@/test/helpers";
import { verifyAuditChain } from "@/lib/server/audit-verify";
import { sealCommitted } from "@/lib/server/audit-seal/seal";
import { at, dose, iso, nextMrn, normalVitals, openSession, pain, start, vitals, type Clinic } from "@/test/charting";

const IV = "IV infusion (routes table)";
const ZERO_HASH = "0".repeat(64);

let c: Clinic;
beforeAll(async () => {
  c = await freshClinic();
});

/** The clinic's last sealed seq, after sealing everything waiting. */
async function maxSeq(clinicId: string) {
  await sealCommitted(db);
  const last = await db.auditEvent.findFirst({ where: { clinicId, seq: { not: null } }, orderBy: { seq: "desc" }, select: { seq: true } });
  return last?.seq ?? 0n;
}
/** Seals what is waiting, then the clinic's rows after `seq`, in chain order. */
async function auditAfter(clinicId: string, seq: bigint) {
  await sealCommitted(db);
  return db.auditEvent.findMany({ where: { clinicId, seq: { gt: seq } }, orderBy: { seq: "asc" } });
}

/**
 * Runs one service call and returns the audit rows it added (action, entityType, entityId)
 * and the change in every table's count.
 */
async function audited<T>(fn: () => Promise<T>) {
  const seq = await maxSeq(c.clinic.id);
  const before = await tableCounts();
  const result = await fn();
  const after = await tableCounts();
  const rows = await auditAfter(c.clinic.id, seq);
  const delta = Object.fromEntries(
    Object.entries(after).map(([k, v]) => [k, v - before[k as keyof typeof before]]).filter(([, d]) => d !== 0),
  );
  return { result, rows: rows.map((r) => [r.action, r.entityType, r.entityId]), delta, raw: rows };
}

describe("each mutation writes its audit rows", () => {
  it("registerPatient -> orderSeries -> start -> chart -> correct -> retract -> complete -> acknowledge -> sign -> addendum", async () => {
    const { nurse, physician } = c.actors;
    // registered at 70 kg: the session weighs 70.4 kg (test/charting), inside the 10% weight guard
    const reg = await audited(() => db.$transaction((tx) => registerPatient(tx, {
      actor: nurse, input: RegisterPatientSchema.parse({ mrn: nextMrn(), givenName: "Cy", familyName: "Audit", birthDate: "1970-02-02", sex: "MALE", weightKg: 70, consentOnFile: true }),
    })));
    expect(reg.rows).toEqual([["patient.register", "Patient", reg.result.id]]);
    expect(reg.delta).toEqual({ patients: 1, audit: 1 });
    expect(reg.raw[0]).toMatchObject({ actorId: nurse.userId, clinicId: c.clinic.id, before: null });
    expect((reg.raw[0]!.after as { mrn: string }).mrn).toBe(reg.result.mrn);

    const ord = await audited(() => db.$transaction((tx) => orderSeries(tx, {
      actor: physician, patientId: reg.result.id,
      input: OrderSeriesSchema.parse({ protocolVersionId: c.protocolByName(IV).version.id, plannedSessions: 3, startDate: "2026-03-01" }),
    })));
    expect(ord.rows).toEqual([["series.order", "Series", ord.result.series.id]]);
    expect(ord.delta).toEqual({ series: 1, audit: 1 });

    const st = await audited(() => start(nurse, ord.result.series.id, at(0)));
    const s = st.result.session.id;
    expect(st.rows).toEqual([["session.start", "InfusionSession", s]]);
    expect(st.delta).toEqual({ sessions: 1, audit: 1 });

    const v = await audited(() => vitals(nurse, s, at(2)));
    // exactly 1 vitals row + 1 audit row, no flags
    expect(v.rows).toEqual([["vitals.chart", "VitalSigns", v.result.vitals.id]]);
    expect(v.delta).toEqual({ vitals: 1, audit: 1 });

    const vf = await audited(() => vitals(nurse, s, at(5), { systolicMmHg: 170, spo2Pct: 90 }));
    // SBP_HIGH and SPO2_LOW: 2 flags, 1 + 2 audit rows (no BP rise: the baseline is the set at or
    // before START, and there is no START yet: decision 0009)
    const fIds = vf.result.flags.map((f) => f.id);
    expect(vf.result.flags.map((f) => f.code)).toEqual(["SBP_HIGH", "SPO2_LOW"]);
    expect(vf.rows).toEqual([["vitals.chart", "VitalSigns", vf.result.vitals.id], ...fIds.map((id) => ["flag.raise", "Flag", id])]);
    expect(vf.delta).toEqual({ vitals: 1, flags: 2, audit: 3 });

    const d = await audited(() => dose(nurse, s, at(6), { type: "START", rateMgPerKgPerH: 0.2 }));
    expect(d.rows).toEqual([["dose.chart", "DoseEvent", d.result.doseEvent.id]]);
    expect(d.delta).toEqual({ doseEvents: 1, audit: 1 });

    const p = await audited(() => pain(nurse, s, at(7), { score: 6, phase: "INTRA" }));
    expect(p.rows).toEqual([["pain.record", "PainScore", p.result.painScore.id]]);
    expect(p.delta).toEqual({ pain: 1, audit: 1 });

    const se = await audited(() => db.$transaction((tx) => recordSideEffect(tx, {
      actor: nurse, sessionId: s, input: SideEffectSchema.parse({ at: iso(8), kind: "DISSOCIATION", severity: 3, intervention: "RATE_SLOWED" }), now: at(8),
    })));
    expect(se.rows).toEqual([["side-effect.record", "SideEffect", se.result.sideEffect.id], ["flag.raise", "Flag", se.result.flags[0]!.id]]);
    expect(se.delta).toEqual({ sideEffects: 1, flags: 1, audit: 2 });

    const corr = await audited(() => db.$transaction((tx) => chartVitals(tx, {
      actor: nurse, sessionId: s, now: at(9),
      input: VitalsSchema.parse({ at: iso(2), ...normalVitals, systolicMmHg: 118, correctsId: v.result.vitals.id, correctionReason: "misread cuff" }),
    })));
    expect(corr.rows).toEqual([["vitals.correct", "VitalSigns", corr.result.vitals.id]]);
    expect(corr.delta).toEqual({ vitals: 1, audit: 1 });
    expect((corr.raw[0]!.before as { id: string; systolicMmHg: number })).toMatchObject({ id: v.result.vitals.id, systolicMmHg: 120 });

    const rt = await audited(() => db.$transaction((tx) => retractEntry(tx, {
      actor: nurse, sessionId: s, kind: "pain", entryId: p.result.painScore.id, correctionReason: "asked the wrong patient", now: at(10),
    })));
    // named by model and by the new retraction row, which records the row it withdraws
    expect(rt.rows).toEqual([["entry.retract", "PainScore", rt.result.retraction.id]]);
    expect(rt.raw[0]!.after).toMatchObject({ retracts: p.result.painScore.id, correctionReason: "asked the wrong patient" });
    expect(rt.delta).toEqual({ pain: 1, audit: 1 });

    await dose(nurse, s, at(40), { type: "STOP" });
    await pain(nurse, s, at(41), { score: 3, phase: "POST" });
    const comp = await audited(() => db.$transaction((tx) => completeSession(tx, {
      actor: nurse, sessionId: s, input: CompleteSessionSchema.parse({ dischargeReady: true }), now: at(42),
    })));
    expect(comp.rows).toEqual([["session.complete", "InfusionSession", s]]);
    expect(comp.delta).toEqual({ audit: 1 });

    const allFlags = [...fIds, se.result.flags[0]!.id];
    const ack = await audited(() => db.$transaction((tx) => acknowledgeFlags(tx, { actor: physician, flagIds: allFlags, reason: "reviewed", now: at(43) })));
    // one row per flag, in the service's fixed order (by id)
    expect(ack.rows).toEqual([...allFlags].sort().map((id) => ["flag.acknowledge", "Flag", id]));
    expect(ack.delta).toEqual({ audit: 3 });

    const sign = await audited(() => db.$transaction((tx) => signSession(tx, { actor: nurse, sessionId: s, now: at(44) })));
    expect(sign.rows).toEqual([["session.sign", "InfusionSession", s]]);
    expect(sign.delta).toEqual({ audit: 1 });

    const add = await audited(() => db.$transaction((tx) => addAddendum(tx, { actor: nurse, sessionId: s, text: "late note", now: at(45) })));
    expect(add.rows).toEqual([["session.addendum", "SessionAddendum", add.result.addendum.id]]);
    expect(add.delta).toEqual({ audit: 1 });
  });

  it("a write rolled back with its transaction leaves no audit row and no gap in seq", async () => {
    const { session } = await openSession(c, IV);
    const seq = await maxSeq(c.clinic.id);
    const before = await snapshotTables();
    const input = VitalsSchema.parse({ at: iso(1), ...normalVitals });
    await expect(db.$transaction(async (tx) => {
      await chartVitals(tx, { actor: c.actors.nurse, sessionId: session.id, input, now: at(1) });
      throw new Error("crash after the write");
    })).rejects.toThrow("crash after the write");
    expect(await snapshotTables()).toEqual(before);
    const v = await vitals(c.actors.nurse, session.id, at(1));
    const rows = await auditAfter(c.clinic.id, seq);
    expect(rows.map((r) => [r.seq, r.action, r.entityId])).toEqual([[seq + 1n, "vitals.chart", v.vitals.id]]);
  });
});

describe("the hash chain", () => {
  it("per clinic: seq 1..n, prevHash links, hashes recompute in SQL", async () => {
    // a clinic of its own, so the chain below is exactly what this test wrote (the factories
    // write no audit rows): series.order, session.start, then two vitals.chart
    const k = await freshClinic();
    const { session } = await openSession(k, IV);
    await vitals(k.actors.nurse, session.id, at(2));
    await vitals(k.actors.nurse, session.id, at(4));
    // unsealed until the sealer runs: no seq, no hash, only the transaction id
    const waiting = await db.auditEvent.findMany({ where: { clinicId: k.clinic.id } });
    expect(waiting.map((r) => [r.seq, r.prevHash, r.hash, r.sealedAt])).toEqual(waiting.map(() => [null, null, null, null]));
    await sealCommitted(db);
    const rows = await db.auditEvent.findMany({ where: { clinicId: k.clinic.id }, orderBy: { seq: "asc" } });
    expect(rows.map((r) => r.action)).toEqual(["series.order", "session.start", "vitals.chart", "vitals.chart"]);
    expect(rows.map((r) => Number(r.seq))).toEqual(rows.map((_, i) => i + 1));
    expect(rows[0]!.prevHash).toBe(ZERO_HASH);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prevHash).toBe(rows[i - 1]!.hash);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.hash ?? ""))).toBe(true);
    const recomputed = await db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM "AuditEvent" WHERE "clinicId" = ${k.clinic.id}
         AND audit_event_hash("seq","prevHash","clinicId","actorId","action","entityType","entityId","at","before","after") = "hash"`;
    expect(Number(recomputed[0]!.n)).toBe(rows.length);
    expect(await verifyAuditChain(db, k.clinic.id)).toEqual({ checked: rows.length, broken: [] });
    // every clinic of this run, and the clinic-less rows, verify too
    const all = await verifyAuditChain(db);
    expect(all.broken).toEqual([]);
    expect(all.checked).toBe(await db.auditEvent.count({ where: { seq: { not: null } } }));
  });

  it("concurrent writes in one clinic still get gapless, linked seq numbers", async () => {
    const sessions = await Promise.all([0, 1, 2, 3].map(() => openSession(c, IV).then((o) => o.session.id)));
    const seq = await maxSeq(c.clinic.id);
    await Promise.all(sessions.flatMap((s) => [vitals(c.actors.nurse, s, at(1)), vitals(c.actors.nurse, s, at(2))]));
    const rows = await auditAfter(c.clinic.id, seq);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 8 }, (_, i) => seq + 1n + BigInt(i)));
    expect((await verifyAuditChain(db, c.clinic.id)).broken).toEqual([]);
  });

  it("the database, not the caller, sets seq, prevHash and hash: a forged seal is dropped at insert", async () => {
    await openSession(c, IV); // at least one row of this clinic's chain to link to, whatever ran before
    const seq = await maxSeq(c.clinic.id);
    const last = await db.auditEvent.findFirstOrThrow({ where: { clinicId: c.clinic.id, seq } });
    const row = await db.auditEvent.create({
      data: { clinicId: c.clinic.id, actorId: null, action: "test.forge", entityType: "Test", entityId: "x", seq: 999_999n, prevHash: "forged", hash: "forged", sealedAt: new Date() },
    });
    expect([row.seq, row.prevHash, row.hash, row.sealedAt]).toEqual([null, null, null, null]);
    await sealCommitted(db);
    const sealed = await db.auditEvent.findUniqueOrThrow({ where: { id: row.id } });
    expect([sealed.seq, sealed.prevHash]).toEqual([seq + 1n, last.hash]);
    expect(sealed.hash).toMatch(/^[0-9a-f]{64}$/);
    expect((await verifyAuditChain(db, c.clinic.id)).broken).toEqual([]);
  });
});

describe("append-only", () => {
  /** Runs `sql` in a transaction that is rolled back even if the statement were allowed. */
  async function attempt(sql: string, ...params: unknown[]) {
    const sentinel = new Error("statement was allowed");
    let caught: unknown;
    try {
      await db.$transaction(async (tx) => {
        await tx.$executeRawUnsafe(sql, ...params);
        throw sentinel;
      });
    } catch (err) {
      caught = err;
    }
    expect(caught).not.toBe(sentinel);
    return String((caught as Error)?.message);
  }

  it("UPDATE, DELETE and TRUNCATE on AuditEvent are refused by the database", async () => {
    await openSession(c, IV); // rows of this clinic for the row-level triggers to refuse, whatever ran before
    await sealCommitted(db);
    const before = await snapshotTables(["AuditEvent"]);
    expect(await attempt(`UPDATE "AuditEvent" SET "action" = 'x' WHERE "clinicId" = $1`, c.clinic.id)).toMatch(/append-only \(UPDATE refused\)/);
    expect(await attempt(`DELETE FROM "AuditEvent" WHERE "clinicId" = $1`, c.clinic.id)).toMatch(/append-only \(DELETE refused\)/);
    expect(await attempt(`TRUNCATE "AuditEvent"`)).toMatch(/append-only \(TRUNCATE refused\)/);
    // and through Prisma's own API
    const one = await db.auditEvent.findFirstOrThrow({ where: { clinicId: c.clinic.id } });
    await expect(db.auditEvent.update({ where: { id: one.id }, data: { action: "x" } })).rejects.toThrow(/append-only/);
    await expect(db.auditEvent.delete({ where: { id: one.id } })).rejects.toThrow(/append-only/);
    // not one row inserted, changed or removed (a count could not see a changed "action")
    expect(await snapshotTables(["AuditEvent"])).toEqual(before);
  });

  it("an unsealed row may be sealed once, with its content unchanged; the database computes the hash", async () => {
    const k = await freshClinic();
    await openSession(k, IV); // series.order and session.start, unsealed (no sealer runs here)
    const row = await db.auditEvent.findFirstOrThrow({ where: { clinicId: k.clinic.id }, orderBy: { id: "asc" } });
    expect(row.seq).toBeNull();
    const zeros = "0".repeat(64);
    expect(await attempt(`UPDATE "AuditEvent" SET "action" = 'x' WHERE "id" = $1`, row.id)).toMatch(/append-only \(UPDATE refused\)/);
    expect(await attempt(`UPDATE "AuditEvent" SET "seq" = 1, "prevHash" = $2, "after" = '{}' WHERE "id" = $1`, row.id, zeros)).toMatch(/append-only \(UPDATE refused\)/);
    expect(await attempt(`UPDATE "AuditEvent" SET "seq" = 1 WHERE "id" = $1`, row.id)).toMatch(/append-only \(UPDATE refused\)/);
    expect(await attempt(`UPDATE "AuditEvent" SET "xid" = '1' WHERE "id" = $1`, row.id)).toMatch(/append-only \(UPDATE refused\)/);
    expect(await attempt(`DELETE FROM "AuditEvent" WHERE "id" = $1`, row.id)).toMatch(/append-only \(DELETE refused\)/);
    // the seal the sealer performs: a hash supplied by the caller is replaced by the recomputed one
    await db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "seq" = 1, "prevHash" = $2, "hash" = 'forged' WHERE "id" = $1`, row.id, zeros);
    const sealed = await db.auditEvent.findUniqueOrThrow({ where: { id: row.id } });
    expect(sealed.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(sealed.sealedAt).not.toBeNull();
    // a second seal, even to the same values, is refused
    expect(await attempt(`UPDATE "AuditEvent" SET "seq" = 1, "prevHash" = $2 WHERE "id" = $1`, row.id, zeros)).toMatch(/append-only \(UPDATE refused\)/);
    await sealCommitted(db);
    expect(await verifyAuditChain(db, k.clinic.id)).toEqual({ checked: 2, broken: [] });
  });

  it("a superuser who disables the trigger and edits a row is caught by the recomputation", async () => {
    // a clinic of its own, so the deliberately broken chain stays there
    const t = await freshClinic();
    const { session } = await openSession(t, IV);
    await vitals(t.actors.nurse, session.id, at(1));
    await vitals(t.actors.nurse, session.id, at(5), { systolicMmHg: 165 });
    await sealCommitted(db);
    const clean = await verifyAuditChain(db, t.clinic.id);
    // series.order, session.start, 2 × vitals.chart, 1 × flag.raise (SBP_HIGH; no BP rise before a START) = 5 rows
    expect(clean).toEqual({ checked: 5, broken: [] });
    const target = await db.auditEvent.findFirstOrThrow({ where: { clinicId: t.clinic.id, action: "vitals.chart" }, orderBy: { seq: "asc" } });

    await db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`ALTER TABLE "AuditEvent" DISABLE TRIGGER audit_no_update`);
      await tx.$executeRawUnsafe(`UPDATE "AuditEvent" SET "after" = jsonb_set("after", '{systolicMmHg}', '99') WHERE "id" = $1`, target.id);
      await tx.$executeRawUnsafe(`ALTER TABLE "AuditEvent" ENABLE TRIGGER audit_no_update`);
    });
    const edited = await db.auditEvent.findUniqueOrThrow({ where: { id: target.id } });
    expect((edited.after as { systolicMmHg: number }).systolicMmHg).toBe(99);

    expect(await verifyAuditChain(db, t.clinic.id)).toEqual({
      checked: 5,
      broken: [{ clinicId: t.clinic.id, seq: Number(target.seq), reason: "hash does not match the row's content" }],
    });
    // the other clinic's chain is untouched, and the trigger is back on
    expect((await verifyAuditChain(db, c.clinic.id)).broken).toEqual([]);
    await expect(db.auditEvent.update({ where: { id: target.id }, data: { action: "x" } })).rejects.toThrow(/append-only/);

    // Put the row back, so later whole-database checks (npm run audit:verify) start clean.
    await db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`ALTER TABLE "AuditEvent" DISABLE TRIGGER audit_no_update`);
      await tx.$executeRawUnsafe(`UPDATE "AuditEvent" SET "after" = $2::jsonb WHERE "id" = $1`, target.id, JSON.stringify(target.after));
      await tx.$executeRawUnsafe(`ALTER TABLE "AuditEvent" ENABLE TRIGGER audit_no_update`);
    });
    expect(await verifyAuditChain(db, t.clinic.id)).toEqual({ checked: 5, broken: [] });
  });
});
