import "server-only";
import type { Actor } from "./actor-type";
import { db } from "./db";

/**
 * What kind of record a read showed: the access row's entityType. "PatientList" and "Board"
 * name no single record (entityId is then the clinic's id).
 */
export type AccessedRecord = "Patient" | "PatientList" | "InfusionSession" | "Series" | "Board" | "Export";

/** The action of every access row; the admin report and the patient page read these rows. */
export const ACCESS_ACTION = "access.read";

/**
 * Records that `actor` read patient data: one audit row, one INSERT, in its own statement
 * (docs/decisions/0019-access-audit-and-user-cache.md). It carries who (actorId, and the role
 * at the time in `after`), which record (entityType + entityId), which patients (`after.patientIds`,
 * however many the read showed: one row per request, never one per patient), when (`at`) and
 * through which route (`after.route`, e.g. "GET /api/sessions/[id]" or "page /sessions/[id]").
 *
 * Like every audit row it is inserted unsealed, without a lock or a read of the chain
 * (decision 0018): the sealer links it within about a second. It is awaited before the data
 * is returned, so a read whose access row could not be written fails instead of showing the
 * record unaudited. A read that showed no patient writes nothing.
 */
export async function recordAccess(
  actor: Actor,
  a: { route: string; record: AccessedRecord; recordId: string; patientIds: readonly string[] },
): Promise<void> {
  if (a.patientIds.length === 0) return;
  const patientIds = a.patientIds.length === 1 ? a.patientIds : [...new Set(a.patientIds)];
  // Plain ids, a role and a route pattern: no snapshot() round trip (this runs on every read).
  const after = JSON.stringify({ route: a.route, role: actor.role, patientIds });
  await db.$executeRaw`
    INSERT INTO "AuditEvent" ("clinicId", "actorId", "action", "entityType", "entityId", "at", "after")
    VALUES (${actor.clinicId}, ${actor.userId}, ${ACCESS_ACTION}, ${a.record}, ${a.recordId}, ${new Date().toISOString()}::timestamp(3), ${after}::jsonb)`;
}

/**
 * Records a read of the access report itself: always one row (even for an empty page), with
 * the filter and the patients the page named.
 */
export async function recordAccessLogRead(
  actor: Actor,
  a: { route: string; filter: Record<string, unknown>; patientIds: readonly string[] },
): Promise<void> {
  const after = JSON.stringify({ route: a.route, role: actor.role, filter: a.filter, patientIds: [...new Set(a.patientIds)] });
  await db.$executeRaw`
    INSERT INTO "AuditEvent" ("clinicId", "actorId", "action", "entityType", "entityId", "at", "after")
    VALUES (${actor.clinicId}, ${actor.userId}, 'access-log.read', 'AccessLog', ${actor.clinicId}, ${new Date().toISOString()}::timestamp(3), ${after}::jsonb)`;
}
