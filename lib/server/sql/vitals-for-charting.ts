import "server-only";
import type { Correctable } from "@/lib/domain/charting";
import { Prisma } from "@/lib/generated/prisma/client";
import type { Tx } from "../db";
import { chartOrder, epochMs, inClinic } from "./fragments";
import { preparedSql } from "./prepared";

// The light columns of a session's vitals, read by every vitals write (lib/server/sessions/
// charting.ts chartVitals: which set a correction targets, whether a set is the baseline). A
// multi-day session holds hundreds of sets; plain SQL because this is the bedside's most
// frequent write and a Prisma model query costs several times the CPU (bench/RESULTS.md).

/** Its prepared statement (lib/server/sql/prepared.ts). */
export const VITALS_FOR_CHARTING_STATEMENT = "vitals-for-charting";

/** One row as the driver returns it. */
export type VitalsForChartingDriverRow = Correctable & { atMs: bigint; isBaseline: boolean; systolicMmHg: number; diastolicMmHg: number };

/** One row decoded (its keys in this order: the audit row of a correction quotes it whole). */
export type VitalsForChartingRow = Correctable & { at: Date; isBaseline: boolean; systolicMmHg: number; diastolicMmHg: number };

/** The SQL: the vitals of session `sessionId` of clinic `clinicId` (scoped through the session row), in chart order. */
export function vitalsForChartingSql(clinicId: string, sessionId: string): Prisma.Sql {
  return preparedSql(VITALS_FOR_CHARTING_STATEMENT, Prisma.sql`
    SELECT v.id, ${Prisma.raw(epochMs("v.at"))} AS "atMs", v."correctsId", v."isRetraction", v."isBaseline", v."systolicMmHg", v."diastolicMmHg"
      FROM "VitalSigns" v
      JOIN "InfusionSession" s ON s.id = v."sessionId"
     WHERE v."sessionId" = ${sessionId} AND ${inClinic("s", clinicId)}
     ORDER BY ${Prisma.raw(chartOrder("v"))}`);
}

export function decodeVitalsForChartingRow(r: VitalsForChartingDriverRow): VitalsForChartingRow {
  return {
    id: r.id, at: new Date(Number(r.atMs)), correctsId: r.correctsId, isRetraction: r.isRetraction, isBaseline: r.isBaseline,
    systolicMmHg: r.systolicMmHg, diastolicMmHg: r.diastolicMmHg,
  };
}

/** Every vitals set of the session (corrections and retractions included), in chart order; none for a session of another clinic. */
export async function selectVitalsForCharting(tx: Tx, clinicId: string, sessionId: string): Promise<VitalsForChartingRow[]> {
  const rows = await tx.$queryRaw<VitalsForChartingDriverRow[]>(vitalsForChartingSql(clinicId, sessionId));
  return rows.map(decodeVitalsForChartingRow);
}
