import "server-only";
import type { Correctable } from "@/lib/domain/charting";
import type { DoseEventType } from "@/lib/domain/dose";
import type { PainScale } from "@/lib/domain/pain";
import { Prisma } from "@/lib/generated/prisma/client";
import { db } from "../db";
import { chartOrder, epochMs, flagOrder, inClinic } from "./fragments";
import { preparedSql } from "./prepared";

// The exports' batch query: sessions of one clinic by id, each with every charted row
// (corrections and retractions included: which rows are in force is decided by effectiveRows
// in lib/domain, never in SQL), in ONE query (docs/decisions/0006-exports.md "Streaming").

/** Its prepared statement: planning it costs a quarter of running it on 200 sessions (bench/RESULTS.md "streamed exports"). */
export const EXPORT_BATCH_STATEMENT = "export-batch";

/** One exported session as the batch query returns it, charted rows in chart order. */
export interface ExportRow {
  id: string;
  status: "IN_PROGRESS" | "COMPLETED" | "SIGNED";
  weightG: number;
  concentrationUgPerMl: number;
  openedAtMs: number;
  completedAtMs: number | null;
  signedAtMs: number | null;
  patientId: string;
  mrn: string;
  givenName: string;
  familyName: string;
  /** YYYY-MM-DD */
  birthDate: string;
  sex: "FEMALE" | "MALE" | "OTHER" | "UNKNOWN";
  protocolVersionId: string;
  protocolVersion: number;
  protocolName: string;
  route: "IV" | "PO" | "IN";
  nurseName: string;
  physicianName: string;
  signedByName: string | null;
  /** when the chart was really opened (late documentation), and why it was opened late */
  enteredAtMs: number;
  lateEntryReason: string | null;
  doseEvents: (Correctable & { type: DoseEventType; atMs: number; enteredAtMs: number; queuedAtMs: number | null; rateUgPerKgPerH: number | null; bolusUg: number | null })[];
  vitals: (Correctable & {
    atMs: number; enteredAtMs: number; queuedAtMs: number | null; systolicMmHg: number; diastolicMmHg: number; heartRatePerMin: number; spo2Pct: number; respRatePerMin: number; temperatureDeciC: number | null;
  })[];
  painScores: (Correctable & { atMs: number; enteredAtMs: number; queuedAtMs: number | null; score: number; scale: PainScale; phase: "PRE" | "INTRA" | "POST" | "FOLLOW_UP"; reportedBy: "STAFF" | "PATIENT" })[];
  sideEffects: (Correctable & { atMs: number; enteredAtMs: number; queuedAtMs: number | null; kind: string; severity: number; intervention: string | null; note: string | null })[];
  flags: {
    id: string; code: string; severity: "SOFT" | "HARD"; message: string; valueText: string; limitText: string; reason: string | null;
    raisedAtMs: number; acknowledgedAtMs: number | null; acknowledgedById: string | null; ackReason: string | null;
    resolvedAtMs: number | null; resolution: string | null;
  }[];
}

type ChartedKey = "doseEvents" | "vitals" | "painScores" | "sideEffects" | "flags";
type Columns<T> = { readonly [K in keyof T]-?: string };

// The query's columns, ExportRow field -> SQL expression. Each session is one JSON array (and
// each charted row a nested array) in exactly this order: the SQL is generated from these
// tables and the decoders below read each field at its table's index, so the two cannot drift
// apart. Arrays rather than JSON objects: a third less work for PostgreSQL, half the bytes.
// Every expression yields one JSON type (text, number, boolean or null; an epoch bigint is a
// JSON number), the one its ExportRow field declares.
const SESSION_COLUMNS: Columns<Omit<ExportRow, ChartedKey>> = {
  id: "s.id", status: "s.status", weightG: `s."weightG"`, concentrationUgPerMl: `s."concentrationUgPerMl"`,
  openedAtMs: epochMs(`s."openedAt"`), completedAtMs: epochMs(`s."completedAt"`), signedAtMs: epochMs(`s."signedAt"`),
  patientId: "p.id", mrn: "p.mrn", givenName: `p."givenName"`, familyName: `p."familyName"`, birthDate: `to_char(p."birthDate", 'YYYY-MM-DD')`, sex: "p.sex",
  protocolVersionId: "pv.id", protocolVersion: "pv.version", protocolName: "pr.name", route: "pr.route",
  nurseName: "nu.name", physicianName: "op.name", signedByName: "sb.name",
  enteredAtMs: epochMs(`s."enteredAt"`), lateEntryReason: `s."lateEntryReason"`,
};
const correctionColumns = { id: "r.id", correctsId: `r."correctsId"`, isRetraction: `r."isRetraction"` } as const;
const CHARTED: { readonly [K in ChartedKey]: { table: string; order: string; columns: Columns<ExportRow[K][number]> } } = {
  doseEvents: {
    table: "DoseEvent", order: chartOrder("r"),
    columns: { ...correctionColumns, type: "r.type", atMs: epochMs("r.at"), enteredAtMs: epochMs(`r."enteredAt"`), queuedAtMs: epochMs(`r."queuedAt"`), rateUgPerKgPerH: `r."rateUgPerKgPerH"`, bolusUg: `r."bolusUg"` },
  },
  vitals: {
    table: "VitalSigns", order: chartOrder("r"),
    columns: {
      ...correctionColumns, atMs: epochMs("r.at"), enteredAtMs: epochMs(`r."enteredAt"`), queuedAtMs: epochMs(`r."queuedAt"`), systolicMmHg: `r."systolicMmHg"`, diastolicMmHg: `r."diastolicMmHg"`,
      heartRatePerMin: `r."heartRatePerMin"`, spo2Pct: `r."spo2Pct"`, respRatePerMin: `r."respRatePerMin"`, temperatureDeciC: `r."temperatureDeciC"`,
    },
  },
  painScores: { table: "PainScore", order: chartOrder("r"), columns: { ...correctionColumns, atMs: epochMs("r.at"), enteredAtMs: epochMs(`r."enteredAt"`), queuedAtMs: epochMs(`r."queuedAt"`), score: "r.score", scale: "r.scale", phase: "r.phase", reportedBy: `r."reportedBy"` } },
  sideEffects: {
    table: "SideEffect", order: chartOrder("r"),
    columns: { ...correctionColumns, atMs: epochMs("r.at"), enteredAtMs: epochMs(`r."enteredAt"`), queuedAtMs: epochMs(`r."queuedAt"`), kind: "r.kind", severity: "r.severity", intervention: "r.intervention", note: "r.note" },
  },
  flags: {
    table: "Flag", order: flagOrder("r"),
    columns: {
      id: "r.id", code: "r.code", severity: "r.severity", message: "r.message", valueText: `r."valueText"`, limitText: `r."limitText"`, reason: "r.reason",
      raisedAtMs: epochMs(`r."raisedAt"`), acknowledgedAtMs: epochMs(`r."acknowledgedAt"`), acknowledgedById: `r."acknowledgedById"`, ackReason: `r."ackReason"`,
      resolvedAtMs: epochMs(`r."resolvedAt"`), resolution: "r.resolution",
    },
  },
};

// Every charted row hangs off its session by sessionId (index sessionId, at); the clinic scope
// is the session's own clinicId.
const EXPORT_ROWS_SELECT = Prisma.raw(`
  SELECT json_build_array(
    ${Object.values(SESSION_COLUMNS).join(", ")},
    ${Object.values(CHARTED).map((c) => `(SELECT coalesce(json_agg(json_build_array(${Object.values(c.columns).join(", ")}) ORDER BY ${c.order}), '[]')
      FROM "${c.table}" r WHERE r."sessionId" = s.id)`).join(",\n    ")}
  ) AS row
  FROM "InfusionSession" s
  JOIN "Series" se ON se.id = s."seriesId"
  JOIN "Patient" p ON p.id = se."patientId"
  JOIN "ProtocolVersion" pv ON pv.id = se."protocolVersionId"
  JOIN "Protocol" pr ON pr.id = pv."protocolId"
  JOIN "User" op ON op.id = se."orderingPhysicianId"
  JOIN "User" nu ON nu.id = s."nurseId"
  LEFT JOIN "User" sb ON sb.id = s."signedById"`);

/** The SQL of one batch: sessions `ids` of clinic `clinicId`, as ONE JSON text (a JSON array of session arrays). */
export function exportBatchSql(clinicId: string, ids: readonly string[]): Prisma.Sql {
  return preparedSql(EXPORT_BATCH_STATEMENT, Prisma.sql`
    SELECT coalesce(json_agg(x.row), '[]')::text AS rows
    FROM (${EXPORT_ROWS_SELECT} WHERE ${inClinic("s", clinicId)} AND s.id = ANY(${ids as string[]}::text[])) x`);
}

/** The one row the driver returns: `::text` makes the JSON a string, which stays unparsed until the batch is written. */
export type ExportBatchDriverRow = { rows: string };

/** Each column's position in its table (the order of the SQL array). */
function positions<T extends object>(columns: T): { readonly [K in keyof T]: number } {
  return Object.fromEntries(Object.keys(columns).map((key, i) => [key, i])) as { [K in keyof T]: number };
}
const S = positions(SESSION_COLUMNS);
const DE = positions(CHARTED.doseEvents.columns);
const VS = positions(CHARTED.vitals.columns);
const PS = positions(CHARTED.painScores.columns);
const SE = positions(CHARTED.sideEffects.columns);
const FL = positions(CHARTED.flags.columns);
const CHARTED_AT = Object.keys(SESSION_COLUMNS).length; // the charted arrays follow the session's columns, in CHARTED's order
const CH = positions(CHARTED);

// The decoders: each JSON value already has the JSON type its SQL expression yields (see the
// column tables), so decoding is naming and typing each position; nothing is converted.
// Written as object literals (one fixed shape per table, which V8 keeps compact): assigning
// computed keys one by one made a slow dictionary object per row and a fifth of an export's
// allocations.
type Values = readonly unknown[];
type Dose = ExportRow["doseEvents"][number];
type Vitals = ExportRow["vitals"][number];
type Pain = ExportRow["painScores"][number];
type SideEffect = ExportRow["sideEffects"][number];
type Flag = ExportRow["flags"][number];
const decodeDoseEvent = (v: Values): Dose => ({
  id: v[DE.id] as string, correctsId: v[DE.correctsId] as string | null, isRetraction: v[DE.isRetraction] as boolean, type: v[DE.type] as Dose["type"],
  atMs: v[DE.atMs] as number, enteredAtMs: v[DE.enteredAtMs] as number, queuedAtMs: v[DE.queuedAtMs] as number | null, rateUgPerKgPerH: v[DE.rateUgPerKgPerH] as number | null, bolusUg: v[DE.bolusUg] as number | null,
});
const decodeVitals = (v: Values): Vitals => ({
  id: v[VS.id] as string, correctsId: v[VS.correctsId] as string | null, isRetraction: v[VS.isRetraction] as boolean, atMs: v[VS.atMs] as number, enteredAtMs: v[VS.enteredAtMs] as number, queuedAtMs: v[VS.queuedAtMs] as number | null,
  systolicMmHg: v[VS.systolicMmHg] as number, diastolicMmHg: v[VS.diastolicMmHg] as number, heartRatePerMin: v[VS.heartRatePerMin] as number,
  spo2Pct: v[VS.spo2Pct] as number, respRatePerMin: v[VS.respRatePerMin] as number, temperatureDeciC: v[VS.temperatureDeciC] as number | null,
});
const decodePainScore = (v: Values): Pain => ({
  id: v[PS.id] as string, correctsId: v[PS.correctsId] as string | null, isRetraction: v[PS.isRetraction] as boolean, atMs: v[PS.atMs] as number, enteredAtMs: v[PS.enteredAtMs] as number, queuedAtMs: v[PS.queuedAtMs] as number | null,
  score: v[PS.score] as number, scale: v[PS.scale] as Pain["scale"], phase: v[PS.phase] as Pain["phase"], reportedBy: v[PS.reportedBy] as Pain["reportedBy"],
});
const decodeSideEffect = (v: Values): SideEffect => ({
  id: v[SE.id] as string, correctsId: v[SE.correctsId] as string | null, isRetraction: v[SE.isRetraction] as boolean, atMs: v[SE.atMs] as number, enteredAtMs: v[SE.enteredAtMs] as number, queuedAtMs: v[SE.queuedAtMs] as number | null,
  kind: v[SE.kind] as string, severity: v[SE.severity] as number, intervention: v[SE.intervention] as string | null, note: v[SE.note] as string | null,
});
const decodeFlag = (v: Values): Flag => ({
  id: v[FL.id] as string, code: v[FL.code] as string, severity: v[FL.severity] as Flag["severity"], message: v[FL.message] as string,
  valueText: v[FL.valueText] as string, limitText: v[FL.limitText] as string, reason: v[FL.reason] as string | null,
  raisedAtMs: v[FL.raisedAtMs] as number, acknowledgedAtMs: v[FL.acknowledgedAtMs] as number | null,
  acknowledgedById: v[FL.acknowledgedById] as string | null, ackReason: v[FL.ackReason] as string | null,
  resolvedAtMs: v[FL.resolvedAtMs] as number | null, resolution: v[FL.resolution] as string | null,
});
const charted = (v: Values, key: ChartedKey) => v[CHARTED_AT + CH[key]] as Values[];
/** One session's JSON array -> ExportRow. */
export const decodeExportRow = (v: Values): ExportRow => ({
  id: v[S.id] as string, status: v[S.status] as ExportRow["status"], weightG: v[S.weightG] as number, concentrationUgPerMl: v[S.concentrationUgPerMl] as number,
  openedAtMs: v[S.openedAtMs] as number, completedAtMs: v[S.completedAtMs] as number | null, signedAtMs: v[S.signedAtMs] as number | null,
  patientId: v[S.patientId] as string, mrn: v[S.mrn] as string, givenName: v[S.givenName] as string, familyName: v[S.familyName] as string,
  birthDate: v[S.birthDate] as string, sex: v[S.sex] as ExportRow["sex"],
  protocolVersionId: v[S.protocolVersionId] as string, protocolVersion: v[S.protocolVersion] as number, protocolName: v[S.protocolName] as string,
  route: v[S.route] as ExportRow["route"],
  nurseName: v[S.nurseName] as string, physicianName: v[S.physicianName] as string, signedByName: v[S.signedByName] as string | null,
  enteredAtMs: v[S.enteredAtMs] as number, lateEntryReason: v[S.lateEntryReason] as string | null,
  doseEvents: charted(v, "doseEvents").map(decodeDoseEvent),
  vitals: charted(v, "vitals").map(decodeVitals),
  painScores: charted(v, "painScores").map(decodePainScore),
  sideEffects: charted(v, "sideEffects").map(decodeSideEffect),
  flags: charted(v, "flags").map(decodeFlag),
});

/**
 * Reads sessions `ids` of clinic `clinicId` with all their charted rows in ONE query: one
 * round trip instead of a query per relation and an object per column. The batch arrives as
 * ONE JSON text and stays a string until it is written (parseExportBatch): a single large
 * string costs the garbage collector nothing while it waits in the read-ahead, where
 * thousands of parsed objects would be copied by every young-generation collection.
 */
export async function readExportBatchText(clinicId: string, ids: readonly string[]): Promise<string> {
  if (ids.length === 0) return "[]";
  const [row] = await db.$queryRaw<[ExportBatchDriverRow]>(exportBatchSql(clinicId, ids));
  return row.rows;
}

/** The rows of a batch read by readExportBatchText, in the order of `ids` (an id of another clinic is absent). */
export function parseExportBatch(json: string, ids: readonly string[]): ExportRow[] {
  const byId = new Map<string, ExportRow>();
  for (const values of JSON.parse(json) as Values[]) {
    const row = decodeExportRow(values);
    byId.set(row.id, row);
  }
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** Sessions `ids` of clinic `clinicId` with all their charted rows (one query), in the order of `ids`. */
export async function readExportRows(clinicId: string, ids: readonly string[]): Promise<ExportRow[]> {
  return parseExportBatch(await readExportBatchText(clinicId, ids), ids);
}
