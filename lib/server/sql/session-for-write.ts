import "server-only";
import type { ProtocolVersion, SessionStatus } from "@/lib/generated/prisma/client";
import { Prisma } from "@/lib/generated/prisma/client";
import type { Tx } from "../db";
import { epochMs, inClinic } from "./fragments";
import { preparedSql } from "./prepared";

// Every write to a session starts here (lib/server/sessions/write-context.ts, and the vitals
// clock): the session of the clinic, its protocol version and the row lock, in one round trip.

/** Its prepared statements, one per lock (two SQL texts; lib/server/sql/prepared.ts). */
export const SESSION_FOR_WRITE_STATEMENTS = { share: "session-for-write-share", update: "session-for-write-update" } as const;

export type SessionWriteLock = keyof typeof SESSION_FOR_WRITE_STATEMENTS;

/** The protocol version as to_jsonb writes it, its timestamp left out (JSON has no dates; it comes as epoch ms). */
type ProtocolVersionJson = Omit<ProtocolVersion, "createdAt">;

/** One row as the driver returns it: bigint epochs, the version a parsed jsonb object, status a ::text string. */
export interface SessionForWriteDriverRow {
  id: string;
  seriesId: string;
  status: SessionStatus;
  openedAtMs: bigint;
  completedAtMs: bigint | null;
  weightG: number;
  rowVersion: number;
  pv: ProtocolVersionJson;
  pvCreatedAtMs: bigint;
}

/** The row decoded: Dates are Dates, the protocol version whole. */
export type SessionForWriteRow = {
  id: string; seriesId: string; status: SessionStatus; openedAt: Date; completedAt: Date | null;
  weightG: number; rowVersion: number; pv: ProtocolVersion;
};

/**
 * The SQL: session `sessionId` of clinic `clinicId` with its series' protocol version, its row
 * locked. Charting takes a share lock (concurrent charting proceeds; complete and sign wait);
 * state changes take the row exclusively up front: two of them holding a share lock and then
 * both updating would deadlock instead of one getting a 409.
 */
export function sessionForWriteSql(clinicId: string, sessionId: string, lock: SessionWriteLock): Prisma.Sql {
  return preparedSql(SESSION_FOR_WRITE_STATEMENTS[lock], Prisma.sql`
    SELECT s.id, s."seriesId", s.status::text AS status, ${Prisma.raw(epochMs(`s."openedAt"`))} AS "openedAtMs",
           ${Prisma.raw(epochMs(`s."completedAt"`))} AS "completedAtMs", s."weightG", s."rowVersion",
           to_jsonb(pv) - 'createdAt' AS pv, ${Prisma.raw(epochMs(`pv."createdAt"`))} AS "pvCreatedAtMs"
      FROM "InfusionSession" s
      JOIN "Series" se ON se.id = s."seriesId"
      JOIN "ProtocolVersion" pv ON pv.id = se."protocolVersionId"
     WHERE s.id = ${sessionId} AND ${inClinic("s", clinicId)}
       ${Prisma.raw(lock === "update" ? "FOR UPDATE OF s" : "FOR SHARE OF s")}`);
}

/** The driver's row -> SessionForWriteRow: epochs made Dates again (the version's too). */
export function decodeSessionForWriteRow(r: SessionForWriteDriverRow): SessionForWriteRow {
  return {
    id: r.id, seriesId: r.seriesId, status: r.status, openedAt: new Date(Number(r.openedAtMs)),
    completedAt: r.completedAtMs === null ? null : new Date(Number(r.completedAtMs)),
    weightG: r.weightG, rowVersion: r.rowVersion, pv: { ...r.pv, createdAt: new Date(Number(r.pvCreatedAtMs)) },
  };
}

/** The session (none when it is not the clinic's), locked as `lock` says until the transaction ends. */
export async function selectSessionForWrite(tx: Tx, clinicId: string, sessionId: string, lock: SessionWriteLock): Promise<SessionForWriteRow[]> {
  const rows = await tx.$queryRaw<SessionForWriteDriverRow[]>(sessionForWriteSql(clinicId, sessionId, lock));
  return rows.map(decodeSessionForWriteRow);
}
