// The session-for-write query (lib/server/sql/session-for-write.ts) against a plain Prisma read
// of the same rows: the decoded row (Dates, the protocol version whole) is what Prisma reads,
// for a running and a completed session, under either lock; another clinic reads nothing; and
// each lock is the one it says (probed from a second connection with NOWAIT).
import { describe, expect, it } from "vitest";
import { preparedStatementName } from "@/lib/server/db";
import { SESSION_FOR_WRITE_STATEMENTS, selectSessionForWrite, sessionForWriteSql } from "@/lib/server/sql/session-for-write";
import { at, complete, dose, openSession, pain, T0, vitals } from "@/test/charting";
import { canLockRow, clinicPerFile, db } from "@/test/helpers";

const IV = "IV infusion (routes table)";
const file = clinicPerFile();
const other = clinicPerFile();

/** The reference: the same session read with a Prisma model query, scoped to the clinic. */
async function reference(clinicId: string, sessionId: string) {
  const s = await db.infusionSession.findFirstOrThrow({ where: { id: sessionId, clinicId }, include: { series: { include: { protocolVersion: true } } } });
  return {
    id: s.id, seriesId: s.seriesId, status: s.status, openedAt: s.openedAt, completedAt: s.completedAt,
    weightG: s.weightG, rowVersion: s.rowVersion, pv: s.series.protocolVersion,
  };
}

const read = (clinicId: string, sessionId: string, lock: "share" | "update") =>
  db.$transaction((tx) => selectSessionForWrite(tx, clinicId, sessionId, lock));

describe("selectSessionForWrite", () => {
  it("reads a running session as Prisma does: completedAt null, the version's createdAt a Date", async () => {
    const { session } = await openSession(file.c, IV, T0);
    for (const lock of ["share", "update"] as const) {
      const rows = await read(file.clinicId, session.id, lock);
      expect(rows).toEqual([await reference(file.clinicId, session.id)]);
      expect(rows[0]!.completedAt).toBeNull();
      expect(rows[0]!.openedAt).toEqual(T0);
      expect(rows[0]!.pv.createdAt).toBeInstanceOf(Date);
    }
  });

  it("reads a completed session as Prisma does: completedAt and the bumped rowVersion", async () => {
    const { session } = await openSession(file.c, IV, T0);
    await vitals(file.nurse, session.id, at(1));
    await pain(file.nurse, session.id, at(2), { score: 7, phase: "PRE" });
    await dose(file.nurse, session.id, at(3), { type: "START", rateMgPerKgPerH: 0.2, reason: "as ordered" });
    await dose(file.nurse, session.id, at(63), { type: "STOP" });
    await pain(file.nurse, session.id, at(70), { score: 3, phase: "POST" });
    await complete(file.nurse, session.id, at(80, new Date(T0.getTime() + 123)));
    const [row] = await read(file.clinicId, session.id, "share");
    expect(row).toEqual(await reference(file.clinicId, session.id));
    // to the millisecond (the 123 ms are kept)
    expect(row!.completedAt?.getTime()).toBe(at(80).getTime() + 123);
    expect(row).toMatchObject({ status: "COMPLETED", rowVersion: 1 });
  });

  it("reads nothing for a session of another clinic", async () => {
    const { session } = await openSession(file.c, IV, T0);
    expect(await read(other.clinicId, session.id, "share")).toEqual([]);
    expect(await read(other.clinicId, session.id, "update")).toEqual([]);
  });

  it("share: another writer may share the row but not update it; update: not even share it", async () => {
    const { session } = await openSession(file.c, IV, T0);
    const held = async (lock: "share" | "update") =>
      db.$transaction(async (tx) => {
        expect(await selectSessionForWrite(tx, file.clinicId, session.id, lock)).toHaveLength(1);
        return { share: await canLockRow("InfusionSession", session.id, "FOR SHARE"), update: await canLockRow("InfusionSession", session.id, "FOR UPDATE") };
      });
    expect(await held("share")).toEqual({ share: true, update: false });
    expect(await held("update")).toEqual({ share: false, update: false });
    // released with the transaction
    expect(await canLockRow("InfusionSession", session.id, "FOR UPDATE")).toBe(true);
  });

  it("is prepared under one name per lock (lib/server/sql/prepared.ts)", () => {
    expect(preparedStatementName({ sql: sessionForWriteSql("c", "s", "share").text })).toBe(SESSION_FOR_WRITE_STATEMENTS.share);
    expect(preparedStatementName({ sql: sessionForWriteSql("c", "s", "update").text })).toBe(SESSION_FOR_WRITE_STATEMENTS.update);
    expect(SESSION_FOR_WRITE_STATEMENTS.share).not.toBe(SESSION_FOR_WRITE_STATEMENTS.update);
  });
});
