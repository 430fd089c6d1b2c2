import "server-only";
import type { Correctable } from "@/lib/domain/charting";
import type { ProtocolVersion, SessionStatus } from "@/lib/generated/prisma/client";
import type { VitalsInput } from "@/lib/validation/session";
import type { Tx } from "../db";
import { newId } from "../ids";

// Every raw SQL query of the session services, in one place. Plain SQL is used where a
// Prisma model query cannot say it (row locks) or where the bedside's most frequent write
// cannot afford a model query's CPU (bench/RESULTS.md). Each takes the transaction it runs in.

/**
 * Locks a series row of the actor's clinic before a session is started on it: a physician
 * ending the series, or a second start on it, waits for this one (and then sees its session)
 * instead of racing it.
 */
export async function lockSeriesForStart(tx: Tx, clinicId: string, seriesId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM "Series" WHERE id = ${seriesId} AND "clinicId" = ${clinicId} FOR UPDATE`;
}

export type SessionForWriteRow = {
  id: string; seriesId: string; status: SessionStatus; openedAt: Date; completedAt: Date | null;
  weightG: number; rowVersion: number; pv: ProtocolVersion;
};

/**
 * One round trip: the session (scoped to the clinic), its protocol version, and the row lock.
 * Charting takes a share lock (concurrent charting proceeds; complete and sign wait); state
 * changes take the row exclusively up front: two of them holding a share lock and then both
 * updating would deadlock instead of one getting a 409.
 */
export function selectSessionForWrite(tx: Tx, clinicId: string, sessionId: string, lock: "share" | "update"): Promise<SessionForWriteRow[]> {
  return lock === "update"
    ? tx.$queryRaw<SessionForWriteRow[]>`
        SELECT s.id, s."seriesId", s.status::text AS status, s."openedAt", s."completedAt", s."weightG", s."rowVersion", to_jsonb(pv) AS pv
          FROM "InfusionSession" s
          JOIN "Series" se ON se.id = s."seriesId"
          JOIN "ProtocolVersion" pv ON pv.id = se."protocolVersionId"
         WHERE s.id = ${sessionId} AND s."clinicId" = ${clinicId}
           FOR UPDATE OF s`
    : tx.$queryRaw<SessionForWriteRow[]>`
        SELECT s.id, s."seriesId", s.status::text AS status, s."openedAt", s."completedAt", s."weightG", s."rowVersion", to_jsonb(pv) AS pv
          FROM "InfusionSession" s
          JOIN "Series" se ON se.id = s."seriesId"
          JOIN "ProtocolVersion" pv ON pv.id = se."protocolVersionId"
         WHERE s.id = ${sessionId} AND s."clinicId" = ${clinicId}
           FOR SHARE OF s`;
}

export type VitalsForChartingRow = Correctable & { at: Date; isBaseline: boolean; systolicMmHg: number; diastolicMmHg: number };

/** The light columns of a session's vitals (a multi-day session holds hundreds of sets). */
export function selectVitalsForCharting(tx: Tx, sessionId: string): Promise<VitalsForChartingRow[]> {
  return tx.$queryRaw<VitalsForChartingRow[]>`
    SELECT id, at, "correctsId", "isRetraction", "isBaseline", "systolicMmHg", "diastolicMmHg"
      FROM "VitalSigns" WHERE "sessionId" = ${sessionId} ORDER BY at ASC`;
}

export type InsertedVitalsRow = {
  id: string; sessionId: string; at: Date; systolicMmHg: number; diastolicMmHg: number; heartRatePerMin: number; spo2Pct: number;
  respRatePerMin: number; temperatureDeciC: number | null; sedationRass: number | null; isBaseline: boolean; enteredById: string;
  enteredAt: Date; queuedAt: Date | null; correctsId: string | null; correctionReason: string | null; isRetraction: boolean;
};

/** Inserts one vitals set and returns it whole (for the audit row and the answer). */
export async function insertVitals(
  tx: Tx,
  v: { sessionId: string; at: Date; queuedAt: Date | null; input: VitalsInput; temperatureDeciC: number | null; isBaseline: boolean; enteredById: string; now: Date },
): Promise<InsertedVitalsRow> {
  const { input, now } = v;
  const [row] = await tx.$queryRaw<InsertedVitalsRow[]>`
    INSERT INTO "VitalSigns" (id, "sessionId", at, "systolicMmHg", "diastolicMmHg", "heartRatePerMin", "spo2Pct", "respRatePerMin",
                              "temperatureDeciC", "sedationRass", "isBaseline", "enteredById", "enteredAt", "queuedAt", "correctsId", "correctionReason")
    VALUES (${newId(now.getTime())}, ${v.sessionId}, ${v.at.toISOString()}::timestamp(3), ${input.systolicMmHg}, ${input.diastolicMmHg},
            ${input.heartRatePerMin}, ${input.spo2Pct}, ${input.respRatePerMin}, ${v.temperatureDeciC}, ${input.sedationRass ?? null},
            ${v.isBaseline}, ${v.enteredById}, ${now.toISOString()}::timestamp(3), ${v.queuedAt?.toISOString() ?? null}::timestamp(3), ${input.correctsId ?? null}, ${input.correctionReason ?? null})
    RETURNING id, "sessionId", at, "systolicMmHg", "diastolicMmHg", "heartRatePerMin", "spo2Pct", "respRatePerMin", "temperatureDeciC",
              "sedationRass", "isBaseline", "enteredById", "enteredAt", "queuedAt", "correctsId", "correctionReason", "isRetraction"`;
  if (!row) throw new Error("INSERT ... RETURNING gave no row");
  return row;
}
