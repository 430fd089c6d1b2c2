import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import type { Tx } from "./db";
import type { Actor } from "./actor-type";

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const bigintAsString = (_k: string, v: unknown) => (typeof v === "bigint" ? v.toString() : v);

/** JSON-safe snapshot: Dates as ISO strings, BigInt as strings, undefined dropped. */
export function snapshot(value: unknown): Json {
  return JSON.parse(JSON.stringify(value ?? null, bigintAsString)) as Json;
}

/**
 * The stored text of a snapshot, in one pass: the same text as JSON.stringify(snapshot(v))
 * (a parse and a second stringify give back what the first stringify wrote), without them.
 * Every clinical write pays this for its audit row.
 */
export function snapshotJson(value: unknown): string {
  return JSON.stringify(value ?? null, bigintAsString);
}

type AuditRow = {
  clinicId: string | null; actorId: string | null; action: string; entityType: string; entityId: string;
  at: string; before: string | null; after: string | null;
};

/** Transactions whose audit rows are queued and written together just before commit. */
const deferred = new WeakMap<object, AuditRow[]>();

/**
 * Appends one audit event inside the caller's transaction, so the clinical write and its
 * audit row commit or fail together. The row is inserted unsealed, stamped with its
 * transaction id; the audit sealer links it into the clinic's hash chain (seq, prevHash,
 * hash) within about a second of the commit (docs/decisions/0018-asynchronous-audit-sealing.md).
 * Inside `withDeferredAudit` the row is queued (its snapshot and time taken now) and written
 * by that wrapper before the commit.
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
  const row: AuditRow = {
    clinicId: e.clinicId, actorId: e.actorId, action: e.action, entityType: e.entityType, entityId: e.entityId,
    // `at` is written as UTC wall time, the way Prisma stores DateTime in a timestamp column
    // (a column default would use the server's zone).
    at: new Date().toISOString(),
    before: e.before === undefined ? null : snapshotJson(e.before),
    after: e.after === undefined ? null : snapshotJson(e.after),
  };
  const queue = deferred.get(tx);
  if (queue) queue.push(row);
  else await insertAuditRows(tx, [row]);
}

/**
 * Runs `work` with its audit rows queued, then writes them in one INSERT as the last
 * statement before the caller commits: one round trip for all of a write's audit rows.
 * (It was introduced to shorten the chain lock the insert trigger used to hold until commit,
 * decision 0007; since decision 0018 the insert takes no lock, and the one INSERT remains the
 * cheaper way to write several rows.) If the INSERT fails the transaction fails with it: no
 * write without its audit rows.
 */
export async function withDeferredAudit<T>(tx: Tx, work: () => Promise<T>): Promise<T> {
  if (deferred.has(tx)) return work();
  const queue: AuditRow[] = [];
  deferred.set(tx, queue);
  try {
    const result = await work();
    if (queue.length > 0) await insertAuditRows(tx, queue);
    return result;
  } finally {
    deferred.delete(tx);
  }
}

async function insertAuditRows(tx: Tx, rows: AuditRow[]): Promise<void> {
  // Plain SQL: this runs on every clinical write, and the rows need no mapping back. The
  // audit_stamp trigger records the transaction id and leaves the row unsealed.
  const values = Prisma.join(
    rows.map((r) => Prisma.sql`(${r.clinicId}, ${r.actorId}, ${r.action}, ${r.entityType}, ${r.entityId}, ${r.at}::timestamp(3), ${r.before}::jsonb, ${r.after}::jsonb)`),
  );
  await tx.$executeRaw`
    INSERT INTO "AuditEvent" ("clinicId", "actorId", "action", "entityType", "entityId", "at", "before", "after")
    VALUES ${values}`;
}

/** Audit helper bound to an actor. */
export function auditAs(tx: Tx, actor: Actor) {
  return (action: string, entityType: string, entityId: string, change: { before?: unknown; after?: unknown } = {}) =>
    writeAudit(tx, { clinicId: actor.clinicId, actorId: actor.userId, action, entityType, entityId, ...change });
}
