import "server-only";
import type { Prisma } from "@/lib/generated/prisma/client";
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
  const data: Prisma.AuditEventUncheckedCreateInput = {
    clinicId: e.clinicId,
    actorId: e.actorId,
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId,
  };
  if (e.before !== undefined) data.before = snapshot(e.before) as Prisma.InputJsonValue;
  if (e.after !== undefined) data.after = snapshot(e.after) as Prisma.InputJsonValue;
  await tx.auditEvent.create({ data });
}

/** Audit helper bound to an actor. */
export function auditAs(tx: Tx, actor: Actor) {
  return (action: string, entityType: string, entityId: string, change: { before?: unknown; after?: unknown } = {}) =>
    writeAudit(tx, { clinicId: actor.clinicId, actorId: actor.userId, action, entityType, entityId, ...change });
}
