import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import type { VitalsInput } from "@/lib/validation/session";
import type { Tx } from "../db";
import { newId } from "../ids";
import { epochMs } from "./fragments";
import { preparedSql } from "./prepared";

// The insert of one vitals set (lib/server/sessions/charting.ts chartVitals), returning the
// stored row whole for the audit row and the answer. Plain SQL: the bedside's most frequent
// write, where a Prisma model query costs several times the CPU (bench/RESULTS.md).

/** Its prepared statement (lib/server/sql/prepared.ts). */
export const INSERT_VITALS_STATEMENT = "insert-vitals";

/** The stored row as the driver returns it: its two timestamps as bigint epochs. */
export type InsertedVitalsDriverRow = Omit<InsertedVitalsRow, "at" | "enteredAt" | "queuedAt"> & { atMs: bigint; enteredAtMs: bigint; queuedAtMs: bigint | null };

/** The stored row decoded, its keys in column order (the audit row quotes it whole). */
export type InsertedVitalsRow = {
  id: string; sessionId: string; at: Date; systolicMmHg: number; diastolicMmHg: number; heartRatePerMin: number; spo2Pct: number;
  respRatePerMin: number; temperatureDeciC: number | null; sedationRass: number | null; isBaseline: boolean; enteredById: string;
  enteredAt: Date; queuedAt: Date | null; correctsId: string | null; correctionReason: string | null; isRetraction: boolean;
  deviceReadingId: string | null;
};

export type NewVitals = {
  id: string; sessionId: string; at: Date; queuedAt: Date | null; input: VitalsInput; temperatureDeciC: number | null; isBaseline: boolean; enteredById: string; now: Date;
  /** the monitor reading a nurse validated into this set (docs/decisions/0021-monitor-vitals-over-hl7.md); absent = typed */
  deviceReadingId?: string | null;
};

/** The SQL: one vitals set, timestamps to the millisecond (Prisma's timestamp(3)), RETURNING the row. */
export function insertVitalsSql(v: NewVitals): Prisma.Sql {
  const { input, now } = v;
  return preparedSql(INSERT_VITALS_STATEMENT, Prisma.sql`
    INSERT INTO "VitalSigns" AS v (id, "sessionId", at, "systolicMmHg", "diastolicMmHg", "heartRatePerMin", "spo2Pct", "respRatePerMin",
                              "temperatureDeciC", "sedationRass", "isBaseline", "enteredById", "enteredAt", "queuedAt", "correctsId", "correctionReason", "deviceReadingId")
    VALUES (${v.id}, ${v.sessionId}, ${v.at.toISOString()}::timestamp(3), ${input.systolicMmHg}, ${input.diastolicMmHg},
            ${input.heartRatePerMin}, ${input.spo2Pct}, ${input.respRatePerMin}, ${v.temperatureDeciC}, ${input.sedationRass ?? null},
            ${v.isBaseline}, ${v.enteredById}, ${now.toISOString()}::timestamp(3), ${v.queuedAt?.toISOString() ?? null}::timestamp(3), ${input.correctsId ?? null}, ${input.correctionReason ?? null}, ${v.deviceReadingId ?? null})
    RETURNING v.id, v."sessionId", ${Prisma.raw(epochMs("v.at"))} AS "atMs", v."systolicMmHg", v."diastolicMmHg", v."heartRatePerMin", v."spo2Pct",
              v."respRatePerMin", v."temperatureDeciC", v."sedationRass", v."isBaseline", v."enteredById", ${Prisma.raw(epochMs(`v."enteredAt"`))} AS "enteredAtMs",
              ${Prisma.raw(epochMs(`v."queuedAt"`))} AS "queuedAtMs", v."correctsId", v."correctionReason", v."isRetraction", v."deviceReadingId"`);
}

export function decodeInsertedVitalsRow(r: InsertedVitalsDriverRow): InsertedVitalsRow {
  return {
    id: r.id, sessionId: r.sessionId, at: new Date(Number(r.atMs)), systolicMmHg: r.systolicMmHg, diastolicMmHg: r.diastolicMmHg,
    heartRatePerMin: r.heartRatePerMin, spo2Pct: r.spo2Pct, respRatePerMin: r.respRatePerMin, temperatureDeciC: r.temperatureDeciC,
    sedationRass: r.sedationRass, isBaseline: r.isBaseline, enteredById: r.enteredById, enteredAt: new Date(Number(r.enteredAtMs)),
    queuedAt: r.queuedAtMs === null ? null : new Date(Number(r.queuedAtMs)),
    correctsId: r.correctsId, correctionReason: r.correctionReason, isRetraction: r.isRetraction,
    deviceReadingId: r.deviceReadingId,
  };
}

/**
 * Inserts one vitals set (its id chosen by the caller, or here) and returns it whole (for the audit row and the answer). The session
 * is the caller's, already read under its row lock within the clinic (loadSessionForWrite).
 */
export async function insertVitals(tx: Tx, v: Omit<NewVitals, "id"> & { id?: string }): Promise<InsertedVitalsRow> {
  const [row] = await tx.$queryRaw<InsertedVitalsDriverRow[]>(insertVitalsSql({ ...v, id: v.id ?? newId(v.now.getTime()) }));
  if (!row) throw new Error("INSERT ... RETURNING gave no row");
  return decodeInsertedVitalsRow(row);
}
