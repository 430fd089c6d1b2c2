// The flag-context query (lib/server/sql/flag-context.ts) against plain Prisma model reads of
// the same rows (what loadFlagContext read before it was one statement): the session facts,
// the protocol version whole, every charted row of each kind (corrections and retractions
// included), the stored flags whole and in order (acknowledged and resolved ones too), the
// starts of the series' earlier sessions and the weight recorded before the session; nothing
// for another clinic's session.
import { describe, expect, it } from "vitest";
import { preparedStatementName } from "@/lib/server/db";
import { acknowledgeFlags } from "@/lib/server/sessions";
import { FLAG_CONTEXT_STATEMENT, flagContextSql, selectFlagContext, type FlagContextRow } from "@/lib/server/sql/flag-context";
import { at, complete, dose, openSession, pain, retract, sideEffect, start, T0, vitals } from "@/test/charting";
import { clinicPerFile, db } from "@/test/helpers";

const IV = "IV infusion (routes table)";
const file = clinicPerFile();
const other = clinicPerFile();

const byId = <T extends { id: string }>(rows: readonly T[]) => [...rows].sort((a, b) => a.id.localeCompare(b.id));
const facts = (r: { id: string; at: Date; enteredAt: Date; correctsId: string | null; isRetraction: boolean }) =>
  ({ id: r.id, atMs: r.at.getTime(), enteredAtMs: r.enteredAt.getTime(), correctsId: r.correctsId, isRetraction: r.isRetraction });

/** The reference: the reads loadFlagContext made with Prisma model queries, shaped as FlagContextRow. */
async function reference(clinicId: string, sessionId: string): Promise<FlagContextRow> {
  const s = await db.infusionSession.findFirstOrThrow({ where: { id: sessionId, clinicId }, include: { series: { include: { protocolVersion: { include: { protocol: true } } } } } });
  const [doseRows, vitalsRows, sideRows, painRows, flags, prior, previousWeight] = await Promise.all([
    db.doseEvent.findMany({ where: { sessionId } }),
    db.vitalSigns.findMany({ where: { sessionId } }),
    db.sideEffect.findMany({ where: { sessionId } }),
    db.painScore.findMany({ where: { sessionId } }),
    db.flag.findMany({ where: { sessionId }, orderBy: [{ raisedAt: "asc" }, { id: "asc" }] }),
    db.infusionSession.findMany({ where: { seriesId: s.seriesId, sequence: { lt: s.sequence } }, select: { openedAt: true } }),
    db.patientWeight.findFirst({
      where: { patientId: s.series.patientId, measuredAt: { lte: s.openedAt }, OR: [{ sessionId: null }, { sessionId: { not: sessionId } }] },
      orderBy: [{ measuredAt: "desc" }, { id: "desc" }],
    }),
  ]);
  const { protocol, ...pv } = s.series.protocolVersion;
  return {
    seriesId: s.seriesId, status: s.status, weightG: s.weightG, concentrationUgPerMl: s.concentrationUgPerMl, openedAt: s.openedAt, completedAt: s.completedAt,
    weightConfirmReason: s.weightConfirmReason, concentrationReason: s.concentrationReason, concentrationOverrideReason: s.concentrationOverrideReason,
    plannedSessions: s.series.plannedSessions, route: protocol.route, pv, previousWeightG: previousWeight?.weightG ?? null,
    priorStartsMs: prior.map((p) => p.openedAt.getTime()).sort((a, b) => a - b),
    doseRows: byId(doseRows.map((r) => ({ ...facts(r), type: r.type, rateUgPerKgPerH: r.rateUgPerKgPerH, bolusUg: r.bolusUg }))),
    vitalsRows: byId(vitalsRows.map((r) => ({ ...facts(r), systolicMmHg: r.systolicMmHg, diastolicMmHg: r.diastolicMmHg, heartRatePerMin: r.heartRatePerMin, spo2Pct: r.spo2Pct, respRatePerMin: r.respRatePerMin, isBaseline: r.isBaseline }))),
    sideRows: byId(sideRows.map((r) => ({ ...facts(r), kind: r.kind, severity: r.severity }))),
    painRows: byId(painRows.map((r) => ({ ...facts(r), score: r.score, scale: r.scale, phase: r.phase }))),
    flags,
  };
}

/** The query's row with its unordered lists in one order (the engine orders rows itself). */
async function read(clinicId: string, sessionId: string): Promise<FlagContextRow | null> {
  const row = await db.$transaction((tx) => selectFlagContext(tx, clinicId, sessionId));
  if (!row) return null;
  return {
    ...row, priorStartsMs: [...row.priorStartsMs].sort((a, b) => a - b),
    doseRows: byId(row.doseRows), vitalsRows: byId(row.vitalsRows), sideRows: byId(row.sideRows), painRows: byId(row.painRows),
  };
}

describe("selectFlagContext", () => {
  it("reads a fresh session as Prisma does: no rows, no flags, no earlier session", async () => {
    const { session } = await openSession(file.c, IV, T0);
    const row = await read(file.clinicId, session.id);
    expect(row).toEqual(await reference(file.clinicId, session.id));
    expect(row).toMatchObject({ doseRows: [], vitalsRows: [], sideRows: [], painRows: [], flags: [], priorStartsMs: [], status: "IN_PROGRESS", completedAt: null });
  });

  it("reads a charted, corrected, flagged second session as Prisma does, to the millisecond", async () => {
    const { series, session: first } = await openSession(file.c, IV, T0, { plannedSessions: 4 });
    await vitals(file.nurse, first.id, at(1));
    await dose(file.nurse, first.id, at(2), { type: "START", rateMgPerKgPerH: 0.2 });
    await pain(file.nurse, first.id, at(3), { score: 7, phase: "PRE" });
    await dose(file.nurse, first.id, at(62), { type: "STOP" });
    await pain(file.nurse, first.id, at(65), { score: 3, phase: "POST" });
    await complete(file.nurse, first.id, at(70));

    const openedAt = new Date(at(7 * 24 * 60).getTime() + 123);
    const { session } = await start(file.c.actors.nurse, series.id, openedAt);
    const t = (m: number) => new Date(openedAt.getTime() + m * 60_000 + 7);
    const baseline = await vitals(file.nurse, session.id, t(1));
    await vitals(file.nurse, session.id, t(2), { heartRatePerMin: 131, reason: "anxious, reassured" }); // HR_HIGH
    await vitals(file.nurse, session.id, t(3), { systolicMmHg: 124, correctsId: baseline.vitals.id, correctionReason: "misread the monitor" });
    const started = await dose(file.nurse, session.id, t(4), { type: "START", rateMgPerKgPerH: 0.6, reason: "as ordered by Dr Y" }); // above range
    await dose(file.nurse, session.id, t(5), { type: "BOLUS", bolusMg: 5, reason: "breakthrough pain" });
    await dose(file.nurse, session.id, t(6), { type: "START", rateMgPerKgPerH: 0.3, correctsId: started.doseEvent.id, correctionReason: "wrong rate typed" });
    await sideEffect(file.nurse, session.id, t(7), { kind: "NAUSEA_VOMITING", severity: 2 });
    const pre = await pain(file.nurse, session.id, t(8), { score: 7, phase: "PRE" });
    await retract(file.nurse, session.id, "pain", pre.painScore.id, t(9));
    const stored = await db.flag.findMany({ where: { sessionId: session.id } });
    expect(stored.length, "the session has flags to read").toBeGreaterThan(0);
    await db.$transaction((tx) => acknowledgeFlags(tx, { actor: file.physician, flagIds: [stored[0]!.id], reason: "seen at the bedside", now: t(10) }));

    const row = await read(file.clinicId, session.id);
    const expected = await reference(file.clinicId, session.id);
    expect(row).toEqual(expected);
    // not vacuous: every kind of row and fact is there
    expect(row!.doseRows).toHaveLength(3);
    expect(row!.vitalsRows).toHaveLength(3);
    expect(row!.painRows.some((r) => r.isRetraction)).toBe(true);
    expect(row!.flags.some((f) => f.acknowledgedAt !== null)).toBe(true);
    expect(row!.flags.some((f) => f.resolvedAt !== null), "the corrected START resolved its flag").toBe(true);
    expect(row!.priorStartsMs).toEqual([T0.getTime()]);
    expect(row!.previousWeightG).not.toBeNull();
    expect(row!.openedAt.getTime()).toBe(openedAt.getTime());
    expect(row!.pv.createdAt).toBeInstanceOf(Date);
  });

  it("reads nothing for a session of another clinic", async () => {
    const { session } = await openSession(file.c, IV, T0);
    expect(await read(other.clinicId, session.id)).toBeNull();
  });

  it("is prepared under its own name (lib/server/sql/prepared.ts)", () => {
    expect(preparedStatementName({ sql: flagContextSql("c", "s").text })).toBe(FLAG_CONTEXT_STATEMENT);
  });
});
