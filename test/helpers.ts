import { randomBytes } from "node:crypto";
import { createTestClinic } from "@/prisma/seed/factories";
import { db } from "@/lib/server/db";

/** A fresh clinic (nurse, physician, admin, all seeded protocols) for one test file or case. */
export async function freshClinic() {
  return createTestClinic(db, randomBytes(4).toString("hex"));
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
