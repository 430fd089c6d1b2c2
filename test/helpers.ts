import { randomBytes } from "node:crypto";
import { beforeAll, expect } from "vitest";
import { createTestClinic } from "@/prisma/seed/factories";
import { db } from "@/lib/server/db";

/** A fresh clinic (nurse, physician, admin, all seeded protocols) for one test file or case. */
export async function freshClinic() {
  return createTestClinic(db, randomBytes(4).toString("hex"));
}

export type FreshClinic = Awaited<ReturnType<typeof freshClinic>>;

/** The clinic a test file owns and its staff, as `clinicPerFile()` hands them out. */
export interface FileClinic {
  /** what the builders of test/charting.ts take (openSession, patientWithSeries) */
  c: FreshClinic;
  clinicId: string;
  nurse: FreshClinic["actors"]["nurse"];
  physician: FreshClinic["actors"]["physician"];
  admin: FreshClinic["actors"]["admin"];
}

/**
 * A fresh clinic for the calling test file, created once before its first test: each file
 * owns its data, and no file reads another's. Call it at the top level of the file; the
 * fields are set by the time a test or a later hook runs:
 * `const file = clinicPerFile();` ... `openSession(file.c, ...)`, `vitals(file.nurse, ...)`.
 */
export function clinicPerFile(): FileClinic {
  const file = {} as FileClinic;
  beforeAll(async () => {
    const c = await freshClinic();
    Object.assign(file, { c, clinicId: c.clinic.id, nurse: c.actors.nurse, physician: c.actors.physician, admin: c.actors.admin });
  });
  return file;
}

/**
 * Whether another connection can lock row `id` of `table` in `mode` right now, without
 * waiting: false while a transaction elsewhere holds a conflicting lock on it.
 */
export async function canLockRow(table: "Series" | "InfusionSession", id: string, mode: "FOR UPDATE" | "FOR SHARE" = "FOR UPDATE"): Promise<boolean> {
  try {
    await db.$queryRawUnsafe(`SELECT id FROM "${table}" WHERE id = $1 ${mode} NOWAIT`, id);
    return true;
  } catch (err) {
    // 55P03 lock_not_available, and nothing else
    expect(String(err)).toMatch(/could not obtain lock|55P03/);
    return false;
  }
}

/**
 * Row counts of the clinical tables, for tests that assert how many rows a write added. To
 * assert that a refused write changed nothing, compare `snapshotTables()` instead: a count
 * cannot see an UPDATE.
 */
export async function tableCounts() {
  const [patients, series, sessions, doseEvents, vitals, pain, sideEffects, flags, audit, reviews, users, protocols, versions] = await Promise.all([
    db.patient.count(), db.series.count(), db.infusionSession.count(), db.doseEvent.count(), db.vitalSigns.count(),
    db.painScore.count(), db.sideEffect.count(), db.flag.count(), db.auditEvent.count(), db.review.count(),
    db.user.count(), db.protocol.count(), db.protocolVersion.count(),
  ]);
  return { patients, series, sessions, doseEvents, vitals, pain, sideEffects, flags, audit, reviews, users, protocols, versions };
}

export { db };
export { changedTables, snapshotTables, type TableSnapshot } from "./db-snapshot";
