import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import type { Role } from "@/lib/permissions";
import type { AccessLogQuery } from "@/lib/validation/access-log";
import { ACCESS_ACTION, recordAccessLogRead } from "./access-audit";
import { requirePermission, type Actor } from "./actor";
import { db } from "./db";

export const ACCESS_LOG_PAGE_SIZE = 50;

export interface AccessEntryDto {
  id: string;
  at: string;
  userId: string | null;
  userName: string | null;
  /** the role the user had when they read, from the row itself */
  role: Role | null;
  route: string | null;
  recordType: string;
  recordId: string;
  patientIds: string[];
  /** false during the second or so before the sealer links the row into the chain */
  sealed: boolean;
}

type Row = { id: bigint; at: Date; actorId: string | null; userName: string | null; entityType: string; entityId: string; after: { route?: string; role?: Role; patientIds?: string[] } | null; seq: bigint | null };

/**
 * Access rows of the actor's clinic, newest first (by id), filtered. One indexed query:
 * "AuditEvent_access_clinic_id_idx" for the clinic's pages, the GIN index on
 * after->'patientIds' for one patient (migration *_access_audit_user_cache).
 */
async function queryAccess(clinicId: string, q: AccessLogQuery & { limit: number }): Promise<Row[]> {
  const conds: Prisma.Sql[] = [Prisma.sql`a."clinicId" = ${clinicId}`, Prisma.sql`a.action = ${ACCESS_ACTION}`];
  if (q.patientId) conds.push(Prisma.sql`a.after->'patientIds' @> jsonb_build_array(${q.patientId}::text)`);
  if (q.userId) conds.push(Prisma.sql`a."actorId" = ${q.userId}`);
  // `at` holds UTC wall time; an instant with an offset is compared in UTC
  if (q.from) conds.push(Prisma.sql`a.at >= (${q.from}::timestamptz AT TIME ZONE 'UTC')`);
  if (q.to) conds.push(Prisma.sql`a.at < (${q.to}::timestamptz AT TIME ZONE 'UTC')`);
  if (q.cursor) conds.push(Prisma.sql`a.id < ${BigInt(q.cursor)}`);
  return db.$queryRaw<Row[]>`
    SELECT a.id, a.at, a."actorId", u.name AS "userName", a."entityType", a."entityId", a.after, a.seq
      FROM "AuditEvent" a LEFT JOIN "User" u ON u.id = a."actorId"
     WHERE ${Prisma.join(conds, " AND ")}
     ORDER BY a.id DESC
     LIMIT ${q.limit}`;
}

function entryDto(r: Row): AccessEntryDto {
  return {
    id: r.id.toString(), at: r.at.toISOString(), userId: r.actorId, userName: r.userName, role: r.after?.role ?? null,
    route: r.after?.route ?? null, recordType: r.entityType, recordId: r.entityId, patientIds: r.after?.patientIds ?? [], sealed: r.seq !== null,
  };
}

/**
 * The access report (admins): who read which patient's record, when and through which route,
 * newest first, a page at a time with a cursor. Reading it is audited in turn: one
 * "access-log.read" row with the filter and the patients the page names.
 */
export async function findAccessLog({ actor, query, route = "internal" }: { actor: Actor; query: AccessLogQuery; route?: string }) {
  requirePermission(actor, "audit:read");
  const limit = query.limit ?? ACCESS_LOG_PAGE_SIZE;
  // one row more than the page tells whether there is a next page
  const rows = await queryAccess(actor.clinicId, { ...query, limit: limit + 1 });
  const page = rows.slice(0, limit).map(entryDto);
  const { cursor, ...filter } = query;
  await recordAccessLogRead(actor, { route, filter: { ...filter, cursor: cursor ?? null }, patientIds: page.flatMap((e) => e.patientIds) });
  return { entries: page, nextCursor: rows.length > limit ? page[page.length - 1]!.id : null };
}

/** The patient page's "who accessed this patient" (admins): the most recent accesses. */
export async function findRecentPatientAccesses({ actor, patientId, limit = 20 }: { actor: Actor; patientId: string; limit?: number }): Promise<AccessEntryDto[]> {
  requirePermission(actor, "audit:read");
  return (await queryAccess(actor.clinicId, { patientId, limit })).map(entryDto);
}
