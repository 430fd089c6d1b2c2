import "server-only";
import type { Flag, ProtocolVersion, SessionStatus } from "@/lib/generated/prisma/client";
import { Prisma } from "@/lib/generated/prisma/client";
import type { Tx } from "../db";
import { epochMs, flagOrder, inClinic } from "./fragments";
import { preparedSql } from "./prepared";

// What the flag engine reads about one session on every charting write and every tick of the
// vitals clock (lib/server/sessions/flag-reconcile.ts loadFlagContext): the session facts, its
// protocol version, every charted row (light columns), its stored flags, the starts of the
// series' earlier sessions and the weight recorded before it. One prepared statement instead
// of eleven Prisma model queries: on the bedside write path those were most of the server's
// CPU per request (bench/RESULTS.md "The write path, profiled").

/** Its prepared statement (lib/server/sql/prepared.ts). */
export const FLAG_CONTEXT_STATEMENT = "flag-context";

type Json = string;

/** The one row as the driver returns it: bigint epochs, the version a parsed jsonb object, the lists JSON text. */
export interface FlagContextDriverRow {
  seriesId: string;
  status: SessionStatus;
  weightG: number;
  concentrationUgPerMl: number;
  openedAtMs: bigint;
  completedAtMs: bigint | null;
  weightConfirmReason: string | null;
  concentrationReason: string | null;
  concentrationOverrideReason: string | null;
  plannedSessions: number;
  route: string;
  pv: Omit<ProtocolVersion, "createdAt">;
  pvCreatedAtMs: bigint;
  previousWeightG: number | null;
  priorStartsMs: Json;
  dose: Json;
  vitals: Json;
  sideEffects: Json;
  pain: Json;
  flags: Json;
}

/**
 * A charted row as the engine needs it: when it happened and when it was charted (epoch ms:
 * the engine computes in ms, and a busy session holds hundreds of rows read on every write, so
 * no Date is made only to be turned back), what it corrects.
 */
export interface ChartedRowFacts {
  id: string;
  atMs: number;
  enteredAtMs: number;
  correctsId: string | null;
  isRetraction: boolean;
}

export interface FlagContextRow {
  seriesId: string;
  status: SessionStatus;
  weightG: number;
  concentrationUgPerMl: number;
  openedAt: Date;
  completedAt: Date | null;
  weightConfirmReason: string | null;
  concentrationReason: string | null;
  concentrationOverrideReason: string | null;
  plannedSessions: number;
  route: string;
  pv: ProtocolVersion;
  previousWeightG: number | null;
  priorStartsMs: number[];
  doseRows: (ChartedRowFacts & { type: string; rateUgPerKgPerH: number | null; bolusUg: number | null })[];
  /** with `isBaseline`: a vitals write reads its baseline and the set it corrects from here */
  vitalsRows: (ChartedRowFacts & { systolicMmHg: number; diastolicMmHg: number; heartRatePerMin: number; spo2Pct: number; respRatePerMin: number; isBaseline: boolean })[];
  sideRows: (ChartedRowFacts & { kind: string; severity: number })[];
  painRows: (ChartedRowFacts & { score: number; scale: string; phase: string })[];
  /** every stored flag of the session, whole, in the order they were raised */
  flags: Flag[];
}

/** The common head of each charted row's JSON array: id, at, enteredAt, correctsId, isRetraction. */
const head = (alias: string) => `${alias}.id, ${epochMs(`${alias}.at`)}, ${epochMs(`${alias}."enteredAt"`)}, ${alias}."correctsId", ${alias}."isRetraction"`;
const list = (columns: string, from: string) => `(SELECT coalesce(json_agg(json_build_array(${columns})), '[]') FROM ${from})::text`;

/** The SQL: session `sessionId` of clinic `clinicId` with everything the flag engine reads; no row for another clinic's session. */
export function flagContextSql(clinicId: string, sessionId: string): Prisma.Sql {
  return preparedSql(FLAG_CONTEXT_STATEMENT, Prisma.sql`
    SELECT s."seriesId", s.status::text AS status, s."weightG", s."concentrationUgPerMl",
           ${Prisma.raw(epochMs(`s."openedAt"`))} AS "openedAtMs", ${Prisma.raw(epochMs(`s."completedAt"`))} AS "completedAtMs",
           s."weightConfirmReason", s."concentrationReason", s."concentrationOverrideReason",
           se."plannedSessions", p.route::text AS route,
           to_jsonb(pv) - 'createdAt' AS pv, ${Prisma.raw(epochMs(`pv."createdAt"`))} AS "pvCreatedAtMs",
           -- the weight recorded before this session (not its own weighing): the guard compares the two
           (SELECT w."weightG" FROM "PatientWeight" w
             WHERE w."patientId" = se."patientId" AND w."measuredAt" <= s."openedAt" AND (w."sessionId" IS NULL OR w."sessionId" <> s.id)
             ORDER BY w."measuredAt" DESC, w.id DESC LIMIT 1) AS "previousWeightG",
           (SELECT coalesce(json_agg(${Prisma.raw(epochMs(`o."openedAt"`))}), '[]') FROM "InfusionSession" o
             WHERE o."seriesId" = s."seriesId" AND o.sequence < s.sequence)::text AS "priorStartsMs",
           ${Prisma.raw(list(`${head("d")}, d.type::text, d."rateUgPerKgPerH", d."bolusUg"`, `"DoseEvent" d WHERE d."sessionId" = s.id`))} AS dose,
           ${Prisma.raw(list(`${head("v")}, v."systolicMmHg", v."diastolicMmHg", v."heartRatePerMin", v."spo2Pct", v."respRatePerMin", v."isBaseline"`, `"VitalSigns" v WHERE v."sessionId" = s.id`))} AS vitals,
           ${Prisma.raw(list(`${head("e")}, e.kind, e.severity`, `"SideEffect" e WHERE e."sessionId" = s.id`))} AS "sideEffects",
           ${Prisma.raw(list(`${head("ps")}, ps.score, ps.scale::text, ps.phase::text`, `"PainScore" ps WHERE ps."sessionId" = s.id`))} AS pain,
           (SELECT coalesce(json_agg(to_jsonb(f) - 'raisedAt' - 'acknowledgedAt' - 'resolvedAt'
                     || jsonb_build_object('raisedAtMs', ${Prisma.raw(epochMs(`f."raisedAt"`))}, 'acknowledgedAtMs', ${Prisma.raw(epochMs(`f."acknowledgedAt"`))}, 'resolvedAtMs', ${Prisma.raw(epochMs(`f."resolvedAt"`))})
                     ORDER BY ${Prisma.raw(flagOrder("f"))}), '[]')
              FROM "Flag" f WHERE f."sessionId" = s.id)::text AS flags
      FROM "InfusionSession" s
      JOIN "Series" se ON se.id = s."seriesId"
      JOIN "ProtocolVersion" pv ON pv.id = se."protocolVersionId"
      JOIN "Protocol" p ON p.id = pv."protocolId"
     WHERE s.id = ${sessionId} AND ${inClinic("s", clinicId)}`);
}

type HeadJson = [string, number, number, string | null, boolean];
const dateOrNull = (ms: number | null) => (ms === null ? null : new Date(ms));

type FlagJson = Omit<Flag, "raisedAt" | "acknowledgedAt" | "resolvedAt"> & { raisedAtMs: number; acknowledgedAtMs: number | null; resolvedAtMs: number | null };

/** The driver's row -> FlagContextRow: epochs made Dates, the lists parsed, the flags whole Flag rows again. */
export function decodeFlagContextRow(r: FlagContextDriverRow): FlagContextRow {
  const flags = (JSON.parse(r.flags) as FlagJson[]).map(({ raisedAtMs, acknowledgedAtMs, resolvedAtMs, ...f }) => ({
    ...f, raisedAt: new Date(raisedAtMs), acknowledgedAt: dateOrNull(acknowledgedAtMs), resolvedAt: dateOrNull(resolvedAtMs),
  }));
  return {
    seriesId: r.seriesId, status: r.status, weightG: r.weightG, concentrationUgPerMl: r.concentrationUgPerMl,
    openedAt: new Date(Number(r.openedAtMs)), completedAt: r.completedAtMs === null ? null : new Date(Number(r.completedAtMs)),
    weightConfirmReason: r.weightConfirmReason, concentrationReason: r.concentrationReason, concentrationOverrideReason: r.concentrationOverrideReason,
    plannedSessions: r.plannedSessions, route: r.route,
    pv: { ...r.pv, createdAt: new Date(Number(r.pvCreatedAtMs)) },
    previousWeightG: r.previousWeightG,
    priorStartsMs: JSON.parse(r.priorStartsMs) as number[],
    // one object per row, its fields named directly (no spread, no slice: this runs per row per write)
    doseRows: (JSON.parse(r.dose) as [...HeadJson, string, number | null, number | null][]).map((a) => ({
      id: a[0], atMs: a[1], enteredAtMs: a[2], correctsId: a[3], isRetraction: a[4], type: a[5], rateUgPerKgPerH: a[6], bolusUg: a[7],
    })),
    vitalsRows: (JSON.parse(r.vitals) as [...HeadJson, number, number, number, number, number, boolean][]).map((a) => ({
      id: a[0], atMs: a[1], enteredAtMs: a[2], correctsId: a[3], isRetraction: a[4],
      systolicMmHg: a[5], diastolicMmHg: a[6], heartRatePerMin: a[7], spo2Pct: a[8], respRatePerMin: a[9], isBaseline: a[10],
    })),
    sideRows: (JSON.parse(r.sideEffects) as [...HeadJson, string, number][]).map((a) => ({
      id: a[0], atMs: a[1], enteredAtMs: a[2], correctsId: a[3], isRetraction: a[4], kind: a[5], severity: a[6],
    })),
    painRows: (JSON.parse(r.pain) as [...HeadJson, number, string, string][]).map((a) => ({
      id: a[0], atMs: a[1], enteredAtMs: a[2], correctsId: a[3], isRetraction: a[4], score: a[5], scale: a[6], phase: a[7],
    })),
    flags,
  };
}

/** The session's flag context (null when it is not a session of the clinic), read in the caller's transaction. */
export async function selectFlagContext(tx: Tx, clinicId: string, sessionId: string): Promise<FlagContextRow | null> {
  const rows = await tx.$queryRaw<FlagContextDriverRow[]>(flagContextSql(clinicId, sessionId));
  return rows[0] ? decodeFlagContextRow(rows[0]) : null;
}
