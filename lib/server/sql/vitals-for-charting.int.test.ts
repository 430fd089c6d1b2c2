// The vitals-for-charting query (lib/server/sql/vitals-for-charting.ts) against a plain Prisma
// read of the same rows: every set of the session (corrections and retractions included) in
// chart order (time, then charting time, then id), the decoded row's keys in the order the
// audit row of a correction quotes them; nothing for another clinic.
import { describe, expect, it } from "vitest";
import { preparedStatementName } from "@/lib/server/db";
import { selectVitalsForCharting, VITALS_FOR_CHARTING_STATEMENT, vitalsForChartingSql } from "@/lib/server/sql/vitals-for-charting";
import { at, openSession, retract, T0, vitals } from "@/test/charting";
import { clinicPerFile, db } from "@/test/helpers";

const IV = "IV infusion (routes table)";
const file = clinicPerFile();
const other = clinicPerFile();

const read = (clinicId: string, sessionId: string) => db.$transaction((tx) => selectVitalsForCharting(tx, clinicId, sessionId));

/** The reference: the same rows read with a Prisma model query, in chart order. */
async function reference(sessionId: string) {
  const rows = await db.vitalSigns.findMany({
    where: { sessionId, session: { clinicId: file.clinicId } },
    orderBy: [{ at: "asc" }, { enteredAt: "asc" }, { id: "asc" }],
  });
  return rows.map((r) => ({
    id: r.id, at: r.at, correctsId: r.correctsId, isRetraction: r.isRetraction, isBaseline: r.isBaseline, systolicMmHg: r.systolicMmHg, diastolicMmHg: r.diastolicMmHg,
  }));
}

describe("selectVitalsForCharting", () => {
  it("reads every set as Prisma does, in chart order, corrections and retractions included", async () => {
    const { session } = await openSession(file.c, IV, T0);
    const s = session.id;
    const baseline = await vitals(file.nurse, s, at(0));
    // two sets at the same minute, stored in the reverse of their charting times (so a read in
    // storage order, as the old `ORDER BY at` may give at a tie, differs from chart order)
    const late = await vitals(file.nurse, s, at(15), { systolicMmHg: 131 }, at(19));
    await vitals(file.nurse, s, at(15), { systolicMmHg: 132 }, at(16));
    await vitals(file.nurse, s, at(15), { systolicMmHg: 133, correctsId: late.vitals.id, correctionReason: "misread" }, at(20));
    const third = await vitals(file.nurse, s, new Date(at(30).getTime() + 7), { diastolicMmHg: 91 });
    await retract(file.nurse, s, "vitals", third.vitals.id, at(31));

    const rows = await read(file.clinicId, s);
    expect(rows).toEqual(await reference(s));
    expect(rows).toHaveLength(6);
    // chart order at the tie: charted at 16 before charted at 19, then the correction charted at 20
    expect(rows.slice(1, 4).map((r) => r.systolicMmHg)).toEqual([132, 131, 133]);
    expect(rows[0]).toMatchObject({ id: baseline.vitals.id, isBaseline: true });
    // the millisecond survives
    expect(rows[4]!.at.getTime()).toBe(at(30).getTime() + 7);
    expect(rows.filter((r) => r.isRetraction)).toHaveLength(1);
  });

  it("decodes each row with its keys in the order of the audit row", async () => {
    const { session } = await openSession(file.c, IV, T0);
    await vitals(file.nurse, session.id, at(0));
    const [row] = await read(file.clinicId, session.id);
    expect(Object.keys(row!)).toEqual(["id", "at", "correctsId", "isRetraction", "isBaseline", "systolicMmHg", "diastolicMmHg"]);
    expect(row!.at).toBeInstanceOf(Date);
  });

  it("reads nothing of a session of another clinic", async () => {
    const { session } = await openSession(file.c, IV, T0);
    await vitals(file.nurse, session.id, at(0));
    expect(await read(file.clinicId, session.id)).toHaveLength(1);
    expect(await read(other.clinicId, session.id)).toEqual([]);
  });

  it("is prepared under its own name", () => {
    expect(preparedStatementName({ sql: vitalsForChartingSql("c", "s").text })).toBe(VITALS_FOR_CHARTING_STATEMENT);
  });
});
