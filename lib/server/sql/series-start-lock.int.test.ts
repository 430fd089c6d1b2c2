// The series lock a session start takes (lib/server/sql/series-start-lock.ts) against a plain
// Prisma read: it locks exactly the series Prisma finds by id within the clinic (and holds it
// until the transaction ends), and nothing of another clinic.
import { describe, expect, it } from "vitest";
import { preparedStatementName } from "@/lib/server/db";
import { lockSeriesForStart, SERIES_START_LOCK_STATEMENT, seriesStartLockSql } from "@/lib/server/sql/series-start-lock";
import { patientWithSeries } from "@/test/charting";
import { canLockRow, clinicPerFile, db } from "@/test/helpers";

const IV = "IV infusion (routes table)";
const file = clinicPerFile();
const other = clinicPerFile();

describe("lockSeriesForStart", () => {
  it("locks the series Prisma finds in the clinic, until the transaction ends", async () => {
    const { series } = await patientWithSeries(file.c, IV);
    expect(await db.series.findFirst({ where: { id: series.id, clinicId: file.clinicId } })).not.toBeNull();
    const whileHeld = await db.$transaction(async (tx) => ({ locked: await lockSeriesForStart(tx, file.clinicId, series.id), free: await canLockRow("Series", series.id) }));
    expect(whileHeld).toEqual({ locked: true, free: false });
    expect(await canLockRow("Series", series.id)).toBe(true);
  });

  it("finds and locks nothing of another clinic (Prisma finds nothing either)", async () => {
    const { series } = await patientWithSeries(file.c, IV);
    expect(await db.series.findFirst({ where: { id: series.id, clinicId: other.clinicId } })).toBeNull();
    const whileHeld = await db.$transaction(async (tx) => ({ locked: await lockSeriesForStart(tx, other.clinicId, series.id), free: await canLockRow("Series", series.id) }));
    expect(whileHeld).toEqual({ locked: false, free: true });
  });

  it("is prepared under its own name", () => {
    expect(preparedStatementName({ sql: seriesStartLockSql("c", "s").text })).toBe(SERIES_START_LOCK_STATEMENT);
  });
});
