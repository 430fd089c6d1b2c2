import "server-only";
import type { Tx } from "./db";
import type { Actor } from "./actor";

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** JSON-safe snapshot: Dates as ISO strings, BigInt as strings, undefined dropped. */
export function snapshot(value: unknown): Json {
  return JSON.parse(
    JSON.stringify(value ?? null, (_k, v) => (typeof v === "bigint" ? v.toString() : v)),
  ) as Json;
}

/**
 * Appends one audit event inside the caller's transaction, so the clinical write and its
 * audit row commit or fail together. Sequence and hash chain are set by the database
 * trigger (prisma/migrations/*_audit_chain).
 */
export async function writeAudit(
  tx: Tx,
  e: {
    clinicId: string | null;
    actorId: string | null;
    action: string;
    entityType: string;
    entityId: string;
    before?: unknown;
    after?: unknown;
  },
): Promise<void> {
  // Plain SQL: this runs on every clinical write, and the row needs no mapping back. The
  // trigger sets seq, prevHash and hash. `at` is written as UTC wall time, the way Prisma
  // stores DateTime in a timestamp column (a column default would use the server's zone).
  const before = e.before === undefined ? null : JSON.stringify(snapshot(e.before));
  const after = e.after === undefined ? null : JSON.stringify(snapshot(e.after));
  await tx.$executeRaw`
    INSERT INTO "AuditEvent" ("clinicId", "actorId", "action", "entityType", "entityId", "at", "before", "after")
    VALUES (${e.clinicId}, ${e.actorId}, ${e.action}, ${e.entityType}, ${e.entityId}, ${new Date().toISOString()}::timestamp(3),
            ${before}::jsonb, ${after}::jsonb)`;
}

/** Audit helper bound to an actor. */
export function auditAs(tx: Tx, actor: Actor) {
  return (action: string, entityType: string, entityId: string, change: { before?: unknown; after?: unknown } = {}) =>
    writeAudit(tx, { clinicId: actor.clinicId, actorId: actor.userId, action, entityType, entityId, ...change });
}
