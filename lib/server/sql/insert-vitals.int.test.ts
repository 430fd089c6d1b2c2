// The vitals insert (lib/server/sql/insert-vitals.ts) against a plain Prisma read of the row it
// stored: the returned row is that row, field for field and key for key (the audit row and
// the answer quote it whole), with and without the optional columns, for a correction too.
import { describe, expect, it } from "vitest";
import { preparedStatementName } from "@/lib/server/db";
import { INSERT_VITALS_STATEMENT, insertVitals, insertVitalsSql } from "@/lib/server/sql/insert-vitals";
import { VitalsSchema } from "@/lib/validation/session";
import { at, normalVitals, openSession, T0 } from "@/test/charting";
import { clinicPerFile, db } from "@/test/helpers";

const IV = "IV infusion (routes table)";
const file = clinicPerFile();

function insert(sessionId: string, raw: Record<string, unknown>, opts: { atDate: Date; now: Date; temperatureDeciC?: number | null; isBaseline?: boolean }) {
  const input = VitalsSchema.parse({ at: opts.atDate.toISOString(), ...normalVitals, ...raw });
  return db.$transaction((tx) => insertVitals(tx, {
    sessionId, at: opts.atDate, input, temperatureDeciC: opts.temperatureDeciC ?? null, isBaseline: opts.isBaseline ?? false,
    enteredById: file.nurse.userId, now: opts.now,
  }));
}

describe("insertVitals", () => {
  it("returns the stored row as Prisma reads it, in the model's column order, timestamps to the millisecond", async () => {
    const { session } = await openSession(file.c, IV, T0);
    const plain = await insert(session.id, {}, { atDate: new Date(at(1).getTime() + 1), now: new Date(at(2).getTime() + 999), isBaseline: true });
    const full = await insert(session.id, { sedationRass: -2, systolicMmHg: 171 }, { atDate: at(16), now: at(17), temperatureDeciC: 372 });
    const correction = await insert(session.id, { systolicMmHg: 117, correctsId: full.id, correctionReason: "cuff slipped" }, { atDate: at(16), now: at(18) });
    for (const row of [plain, full, correction]) {
      const stored = await db.vitalSigns.findUniqueOrThrow({ where: { id: row.id } });
      expect(row).toEqual(stored);
      // the same JSON, key for key: what the audit row and the answer are made of
      expect(JSON.stringify(row)).toBe(JSON.stringify(stored));
    }
    expect(plain).toMatchObject({ isBaseline: true, temperatureDeciC: null, sedationRass: null, correctsId: null, isRetraction: false });
    expect(plain.at.getTime()).toBe(at(1).getTime() + 1);
    expect(plain.enteredAt.getTime()).toBe(at(2).getTime() + 999);
    expect(full).toMatchObject({ systolicMmHg: 171, temperatureDeciC: 372, sedationRass: -2 });
    expect(correction).toMatchObject({ correctsId: full.id, correctionReason: "cuff slipped", systolicMmHg: 117 });
  });

  it("is prepared under its own name", () => {
    const input = VitalsSchema.parse({ at: T0.toISOString(), ...normalVitals });
    const sql = insertVitalsSql({ id: "v", sessionId: "s", at: T0, input, temperatureDeciC: null, isBaseline: false, enteredById: "u", now: T0 });
    expect(preparedStatementName({ sql: sql.text })).toBe(INSERT_VITALS_STATEMENT);
  });
});
