import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import type { Tx } from "../db";
import { inClinic } from "./fragments";
import { preparedSql } from "./prepared";

// The row lock a session start takes on its series (lib/server/sessions/lifecycle.ts).

/** Its prepared statement (lib/server/sql/prepared.ts). */
export const SERIES_START_LOCK_STATEMENT = "series-start-lock";

/** The one column the driver returns: the locked series' id. */
export type SeriesStartLockDriverRow = { id: string };

/** The SQL: series `seriesId` of clinic `clinicId`, locked FOR UPDATE; no row when it is not the clinic's. */
export function seriesStartLockSql(clinicId: string, seriesId: string): Prisma.Sql {
  return preparedSql(SERIES_START_LOCK_STATEMENT, Prisma.sql`
    SELECT s.id FROM "Series" s WHERE s.id = ${seriesId} AND ${inClinic("s", clinicId)} FOR UPDATE`);
}

/**
 * Locks a series row of the clinic before a session is started on it: a physician ending the
 * series, or a second start on it, waits for this one (and then sees its session) instead of
 * racing it. True when the row was found and locked (false: not the clinic's series, which
 * the caller's own read then answers as a 404).
 */
export async function lockSeriesForStart(tx: Tx, clinicId: string, seriesId: string): Promise<boolean> {
  const rows = await tx.$queryRaw<SeriesStartLockDriverRow[]>(seriesStartLockSql(clinicId, seriesId));
  return rows.length === 1;
}
