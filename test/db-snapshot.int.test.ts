// The "nothing changed" helper must see every kind of write, an UPDATE that keeps the row
// count above all: otherwise every permission test built on it could pass over a write.
import { beforeAll, describe, expect, it } from "vitest";
import { createPatient } from "@/prisma/seed/factories";
import { db, freshClinic } from "@/test/helpers";
import { changedTables, snapshotTables } from "@/test/db-snapshot";

let clinicId: string;

beforeAll(async () => {
  clinicId = (await freshClinic()).clinic.id;
});

async function newPatient(mrn: string) {
  return createPatient(db, { clinicId, mrn, givenName: "Snap", familyName: "Shot", birthDate: "1970-01-01", weightKg: 80 });
}

describe("snapshotTables", () => {
  it("is stable when nothing is written", async () => {
    const a = await snapshotTables();
    const b = await snapshotTables();
    expect(b).toEqual(a);
    expect(changedTables(a, b)).toEqual([]);
    // every application table is covered, the migrations table is not
    expect(Object.keys(a)).toEqual(expect.arrayContaining(["AuditEvent", "Flag", "Patient", "User", "VitalSigns", "IdempotencyRecord"]));
    expect(Object.keys(a)).not.toContain("_prisma_migrations");
  });

  it("sees an UPDATE that keeps every row count, and only in the table it touched", async () => {
    const p = await newPatient(`SNAP-U-${process.pid}`);
    const before = await snapshotTables();
    await db.patient.update({ where: { id: p.id }, data: { givenName: "Snapp" } });
    const after = await snapshotTables();
    expect(after.Patient!.rows).toBe(before.Patient!.rows);
    expect(changedTables(before, after)).toEqual(["Patient"]);
    expect(after).not.toEqual(before);
    // writing the old value back restores the fingerprint: it is a function of the content
    await db.patient.update({ where: { id: p.id }, data: { givenName: "Snap" } });
    expect(await snapshotTables()).toEqual(before);
  });

  it("sees an INSERT and a DELETE", async () => {
    const before = await snapshotTables();
    const p = await newPatient(`SNAP-I-${process.pid}`);
    const inserted = await snapshotTables();
    expect(changedTables(before, inserted)).toContain("Patient");
    expect(inserted.Patient!.rows).toBe(before.Patient!.rows + 1);
    await db.patientWeight.deleteMany({ where: { patientId: p.id } });
    await db.patient.delete({ where: { id: p.id } });
    expect(changedTables(before, await snapshotTables())).toEqual([]);
  });

  it("limits itself to the named tables and refuses a name it would have to quote", async () => {
    const only = await snapshotTables(["Patient", "Flag"]);
    expect(Object.keys(only).sort()).toEqual(["Flag", "Patient"]);
    await expect(snapshotTables(['Patient"; DROP TABLE "Flag'])).rejects.toThrow("not a table name");
  });
});
