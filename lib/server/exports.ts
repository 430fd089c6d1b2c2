import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { csvRecord, csvRow, UTF8_BOM } from "@/lib/domain/csv";
import { effectiveRows, type Correctable } from "@/lib/domain/charting";
import type { DoseEventPoint, DoseEventType } from "@/lib/domain/dose";
import type { PainScale } from "@/lib/domain/pain";
import { buildPatient, buildSessionEntries, type FhirSessionInput } from "@/lib/domain/fhir";
import { documentedBand } from "@/lib/domain/protocol";
import { buildSessionSummary, SUMMARY_COLUMNS, type SessionSummary } from "@/lib/domain/session-summary";
import { zoneOffsetMin } from "@/lib/domain/time";
import { badInput } from "@/lib/errors";
import { Prisma, type ProtocolVersion } from "@/lib/generated/prisma/client";
import { exportFileName, type ExportFilterInput, type ExportFormat, type ExportQueryInput } from "@/lib/validation/export";
import { requirePermission, type Actor } from "./actor";
import { writeAudit } from "./audit";
import { db } from "./db";
import { createPdfWriter, type PdfSession } from "./export-pdf";
import { limitsOf } from "./protocols";

/** Sessions fetched per round trip: memory holds one batch, whatever the export's size. */
export const EXPORT_BATCH_SIZE = 200;

const STATUS_WHERE: Record<ExportFilterInput["status"], Prisma.InfusionSessionWhereInput> = {
  signed: { status: "SIGNED" },
  completed: { status: "COMPLETED" },
  in_progress: { status: "IN_PROGRESS" },
  all: {},
};

/** UTC instant of 00:00 on calendar day `ymd` in `timeZone` (DST-safe: the offset is read at that instant). */
function zoneMidnight(ymd: string, timeZone: string): Date {
  const guess = new Date(`${ymd}T00:00:00Z`);
  const first = new Date(guess.getTime() - zoneOffsetMin(guess, timeZone) * 60_000);
  return new Date(guess.getTime() - zoneOffsetMin(first, timeZone) * 60_000);
}
const nextDay = (ymd: string) => new Date(Date.parse(`${ymd}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/**
 * The Prisma filter of an export, scoped to the actor's clinic. A protocol or patient id that
 * is not the clinic's is a bad filter (400 with the field), not an empty export: the user
 * should know their filter cannot match.
 */
async function exportWhere(actor: Actor, f: ExportFilterInput): Promise<Prisma.InfusionSessionWhereInput> {
  if (f.protocolId) {
    const p = await db.protocol.findFirst({ where: { id: f.protocolId, clinicId: actor.clinicId }, select: { id: true } });
    if (!p) throw badInput("Unknown protocol: it is not one of this clinic's protocols.", { protocolId: "unknown protocol" });
  }
  if (f.patientId) {
    const p = await db.patient.findFirst({ where: { id: f.patientId, clinicId: actor.clinicId }, select: { id: true } });
    if (!p) throw badInput("Unknown patient: not a patient of this clinic.", { patientId: "unknown patient" });
  }
  const tz = actor.clinicTimezone;
  const openedAt: Prisma.DateTimeFilter = {};
  if (f.from) openedAt.gte = zoneMidnight(f.from, tz);
  if (f.to) openedAt.lt = zoneMidnight(nextDay(f.to), tz);
  return {
    clinicId: actor.clinicId,
    ...STATUS_WHERE[f.status],
    ...(f.from || f.to ? { openedAt } : {}),
    ...(f.patientId || f.protocolId
      ? { series: { ...(f.patientId ? { patientId: f.patientId } : {}), ...(f.protocolId ? { protocolVersion: { protocolId: f.protocolId } } : {}) } }
      : {}),
  };
}

/** How many sessions an export with this filter would hold (the page's preview). */
export async function countExportSessions({ actor, filter }: { actor: Actor; filter: ExportFilterInput }): Promise<number> {
  requirePermission(actor, "export:sessions");
  return db.infusionSession.count({ where: await exportWhere(actor, filter) });
}

/**
 * Epoch milliseconds of a timestamp column (Prisma stores UTC without a zone, to the
 * millisecond). date_part's double carries microseconds, so rounding gives the exact value.
 */
const epochMs = (column: string) => `round(date_part('epoch', ${column}) * 1000)::bigint`;

/**
 * One exported session as the batch query returns it: the session's columns and, as arrays,
 * every charted row of the session (corrections and retractions included: which rows are in
 * force is decided by effectiveRows in lib/domain, never in SQL), in chart order.
 */
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
  doseEvents: (Correctable & { type: DoseEventType; atMs: number; rateUgPerKgPerH: number | null; bolusUg: number | null })[];
  vitals: (Correctable & {
    atMs: number; systolicMmHg: number; diastolicMmHg: number; heartRatePerMin: number; spo2Pct: number; respRatePerMin: number; temperatureDeciC: number | null;
  })[];
  painScores: (Correctable & { atMs: number; score: number; scale: PainScale; phase: "PRE" | "INTRA" | "POST" | "FOLLOW_UP" })[];
  sideEffects: (Correctable & { atMs: number; kind: string; severity: number; intervention: string | null; note: string | null })[];
  flags: {
    id: string; code: string; severity: "SOFT" | "HARD"; message: string; valueText: string; limitText: string; reason: string | null;
    raisedAtMs: number; acknowledgedAtMs: number | null; acknowledgedById: string | null; ackReason: string | null;
  }[];
}

type ChartedKey = "doseEvents" | "vitals" | "painScores" | "sideEffects" | "flags";
type Columns<T> = { readonly [K in keyof T]-?: string };

// The batch query's columns, ExportRow field -> SQL expression. Each session is one JSON array
// (and each charted row a nested array) in exactly this order: the SQL is generated from these
// tables and the decoders below read each field at its table's index, so the two cannot drift
// apart. Arrays rather than JSON objects: a third less work for PostgreSQL, half the bytes.
const SESSION_COLUMNS: Columns<Omit<ExportRow, ChartedKey>> = {
  id: "s.id", status: "s.status", weightG: `s."weightG"`, concentrationUgPerMl: `s."concentrationUgPerMl"`,
  openedAtMs: epochMs(`s."openedAt"`), completedAtMs: epochMs(`s."completedAt"`), signedAtMs: epochMs(`s."signedAt"`),
  patientId: "p.id", mrn: "p.mrn", givenName: `p."givenName"`, familyName: `p."familyName"`, birthDate: `to_char(p."birthDate", 'YYYY-MM-DD')`, sex: "p.sex",
  protocolVersionId: "pv.id", protocolVersion: "pv.version", protocolName: "pr.name", route: "pr.route",
  nurseName: "nu.name", physicianName: "op.name", signedByName: "sb.name",
};
const correctionColumns = { id: "r.id", correctsId: `r."correctsId"`, isRetraction: `r."isRetraction"` } as const;
/** Chart order, as the session screen lists rows: time, then entry order (id only breaks exact ties). */
const CHART_ORDER = `r.at, r."enteredAt", r.id`;
const CHARTED: { readonly [K in ChartedKey]: { table: string; order: string; columns: Columns<ExportRow[K][number]> } } = {
  doseEvents: {
    table: "DoseEvent", order: CHART_ORDER,
    columns: { ...correctionColumns, type: "r.type", atMs: epochMs("r.at"), rateUgPerKgPerH: `r."rateUgPerKgPerH"`, bolusUg: `r."bolusUg"` },
  },
  vitals: {
    table: "VitalSigns", order: CHART_ORDER,
    columns: {
      ...correctionColumns, atMs: epochMs("r.at"), systolicMmHg: `r."systolicMmHg"`, diastolicMmHg: `r."diastolicMmHg"`,
      heartRatePerMin: `r."heartRatePerMin"`, spo2Pct: `r."spo2Pct"`, respRatePerMin: `r."respRatePerMin"`, temperatureDeciC: `r."temperatureDeciC"`,
    },
  },
  painScores: { table: "PainScore", order: CHART_ORDER, columns: { ...correctionColumns, atMs: epochMs("r.at"), score: "r.score", scale: "r.scale", phase: "r.phase" } },
  sideEffects: {
    table: "SideEffect", order: CHART_ORDER,
    columns: { ...correctionColumns, atMs: epochMs("r.at"), kind: "r.kind", severity: "r.severity", intervention: "r.intervention", note: "r.note" },
  },
  flags: {
    table: "Flag", order: `r."raisedAt", r.id`,
    columns: {
      id: "r.id", code: "r.code", severity: "r.severity", message: "r.message", valueText: `r."valueText"`, limitText: `r."limitText"`, reason: "r.reason",
      raisedAtMs: epochMs(`r."raisedAt"`), acknowledgedAtMs: epochMs(`r."acknowledgedAt"`), acknowledgedById: `r."acknowledgedById"`, ackReason: `r."ackReason"`,
    },
  },
};

// Every charted row hangs off its session by sessionId (index sessionId, at); the clinic
// scope is the session's own clinicId.
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

// Values of the batch query's JSON: each decoder gives them their ExportRow type. Written as
// object literals (one fixed shape per table, which V8 keeps compact): assigning computed keys
// one by one made a slow dictionary object per row and a fifth of an export's allocations.
type Values = any[]; // positional JSON values; each decoder below types them
const decodeDoseEvent = (v: Values): ExportRow["doseEvents"][number] => ({
  id: v[DE.id], correctsId: v[DE.correctsId], isRetraction: v[DE.isRetraction], type: v[DE.type], atMs: v[DE.atMs], rateUgPerKgPerH: v[DE.rateUgPerKgPerH], bolusUg: v[DE.bolusUg],
});
const decodeVitals = (v: Values): ExportRow["vitals"][number] => ({
  id: v[VS.id], correctsId: v[VS.correctsId], isRetraction: v[VS.isRetraction], atMs: v[VS.atMs], systolicMmHg: v[VS.systolicMmHg], diastolicMmHg: v[VS.diastolicMmHg],
  heartRatePerMin: v[VS.heartRatePerMin], spo2Pct: v[VS.spo2Pct], respRatePerMin: v[VS.respRatePerMin], temperatureDeciC: v[VS.temperatureDeciC],
});
const decodePainScore = (v: Values): ExportRow["painScores"][number] => ({
  id: v[PS.id], correctsId: v[PS.correctsId], isRetraction: v[PS.isRetraction], atMs: v[PS.atMs], score: v[PS.score], scale: v[PS.scale], phase: v[PS.phase],
});
const decodeSideEffect = (v: Values): ExportRow["sideEffects"][number] => ({
  id: v[SE.id], correctsId: v[SE.correctsId], isRetraction: v[SE.isRetraction], atMs: v[SE.atMs], kind: v[SE.kind], severity: v[SE.severity], intervention: v[SE.intervention], note: v[SE.note],
});
const decodeFlag = (v: Values): ExportRow["flags"][number] => ({
  id: v[FL.id], code: v[FL.code], severity: v[FL.severity], message: v[FL.message], valueText: v[FL.valueText], limitText: v[FL.limitText], reason: v[FL.reason],
  raisedAtMs: v[FL.raisedAtMs], acknowledgedAtMs: v[FL.acknowledgedAtMs], acknowledgedById: v[FL.acknowledgedById], ackReason: v[FL.ackReason],
});
const decodeExportRow = (v: Values): ExportRow => ({
  id: v[S.id], status: v[S.status], weightG: v[S.weightG], concentrationUgPerMl: v[S.concentrationUgPerMl],
  openedAtMs: v[S.openedAtMs], completedAtMs: v[S.completedAtMs], signedAtMs: v[S.signedAtMs],
  patientId: v[S.patientId], mrn: v[S.mrn], givenName: v[S.givenName], familyName: v[S.familyName], birthDate: v[S.birthDate], sex: v[S.sex],
  protocolVersionId: v[S.protocolVersionId], protocolVersion: v[S.protocolVersion], protocolName: v[S.protocolName], route: v[S.route],
  nurseName: v[S.nurseName], physicianName: v[S.physicianName], signedByName: v[S.signedByName],
  doseEvents: v[CHARTED_AT + CH.doseEvents].map(decodeDoseEvent),
  vitals: v[CHARTED_AT + CH.vitals].map(decodeVitals),
  painScores: v[CHARTED_AT + CH.painScores].map(decodePainScore),
  sideEffects: v[CHARTED_AT + CH.sideEffects].map(decodeSideEffect),
  flags: v[CHARTED_AT + CH.flags].map(decodeFlag),
});

/**
 * Reads sessions `ids` of clinic `clinicId` with all their charted rows in ONE query: one
 * round trip instead of a query per relation and an object per column. The batch arrives as
 * ONE JSON text and stays a string until it is written (parseExportBatch): a single large
 * string costs the garbage collector nothing while it waits in the read-ahead, where
 * thousands of parsed objects would be copied by every young-generation collection.
 */
// Prepared once per connection (db.ts): planning this query costs a quarter of running it on 200 sessions.
const exportBatchQuery = (clinicId: string, ids: readonly string[]) => Prisma.sql`/* prepared: export-batch */
    SELECT coalesce(json_agg(x.row), '[]')::text AS rows
    FROM (${EXPORT_ROWS_SELECT} WHERE s."clinicId" = ${clinicId} AND s.id = ANY(${ids as string[]}::text[])) x`;

async function readExportBatchText(clinicId: string, ids: readonly string[]): Promise<string> {
  if (ids.length === 0) return "[]";
  const [{ rows }] = await db.$queryRaw<[{ rows: string }]>(exportBatchQuery(clinicId, ids));
  return rows;
}

/** The rows of a batch read by readExportBatchText, in the order of `ids` (an id of another clinic is absent). */
function parseExportBatch(json: string, ids: readonly string[]): ExportRow[] {
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

export interface ExportContext {
  clinicName: string;
  timeZone: string;
  userNames: Map<string, string>;
  /** protocol versions by id (their limits draw the PDF's documented band) */
  protocolVersions: Map<string, ProtocolVersion>;
  nowMs: number;
}

/**
 * One exported session: the summary row, built at once from the rows in force by lib/domain's
 * summary builder (it computes every value), and the charted detail the FHIR and PDF writers
 * need, built on first use so a CSV export pays for the summary alone.
 */
export class ExportedSession {
  readonly summary: SessionSummary;
  private builtDetail: FhirSessionInput | undefined;

  constructor(private readonly row: ExportRow, private readonly ctx: ExportContext) {
    const s = row;
    this.summary = buildSessionSummary({
      clinicName: ctx.clinicName, timeZone: ctx.timeZone, mrn: s.mrn, patientName: `${s.familyName}, ${s.givenName}`, birthDate: s.birthDate,
      protocolName: s.protocolName, protocolVersion: s.protocolVersion, status: s.status,
      openedAtMs: s.openedAtMs, completedAtMs: s.completedAtMs, signedAtMs: s.signedAtMs,
      weightG: s.weightG, nurseName: s.nurseName, physicianName: s.physicianName, signedByName: s.signedByName,
      // the rows carry type, atMs, rateUgPerKgPerH and bolusUg: they are dose event points as they are
      doseEvents: effectiveRows(s.doseEvents) satisfies DoseEventPoint[],
      vitals: effectiveRows(s.vitals),
      pain: effectiveRows(s.painScores),
      sideEffects: effectiveRows(s.sideEffects),
      flags: s.flags.map((f) => ({ acknowledged: f.acknowledgedAtMs !== null })),
    }, ctx.nowMs);
  }

  get detail(): FhirSessionInput {
    return (this.builtDetail ??= this.buildDetail());
  }

  get pdf(): PdfSession {
    const version = this.ctx.protocolVersions.get(this.row.protocolVersionId)!;
    return { summary: this.summary, detail: this.detail, band: documentedBand(limitsOf(version)), nowMs: this.ctx.nowMs };
  }

  private buildDetail(): FhirSessionInput {
    const { row: s, ctx } = this;
    const doseRows = effectiveRows(s.doseEvents);
    const stop = doseRows.find((e) => e.type === "STOP");
    return {
      timeZone: ctx.timeZone,
      clinicName: ctx.clinicName,
      patient: { id: s.patientId, mrn: s.mrn, givenName: s.givenName, familyName: s.familyName, birthDate: s.birthDate, sex: s.sex },
      session: {
        id: s.id, status: s.status, openedAtMs: s.openedAtMs, endMs: stop?.atMs ?? s.completedAtMs,
        weightG: s.weightG, concentrationUgPerMl: s.concentrationUgPerMl, protocolName: s.protocolName, protocolVersion: s.protocolVersion,
        route: s.route, nurseName: s.nurseName, physicianName: s.physicianName, signedByName: s.signedByName,
      },
      doseEvents: doseRows.map((e) => ({ id: e.id, type: e.type, atMs: e.atMs, rateUgPerKgPerH: e.rateUgPerKgPerH, bolusUg: e.bolusUg })),
      vitals: effectiveRows(s.vitals).map((v) => ({
        id: v.id, atMs: v.atMs, systolicMmHg: v.systolicMmHg, diastolicMmHg: v.diastolicMmHg, heartRatePerMin: v.heartRatePerMin,
        spo2Pct: v.spo2Pct, respRatePerMin: v.respRatePerMin, temperatureDeciC: v.temperatureDeciC,
      })),
      pain: effectiveRows(s.painScores).map((x) => ({ id: x.id, atMs: x.atMs, score: x.score, scale: x.scale, phase: x.phase })),
      sideEffects: effectiveRows(s.sideEffects).map((e) => ({ id: e.id, atMs: e.atMs, kind: e.kind, severity: e.severity, intervention: e.intervention, note: e.note })),
      flags: s.flags.map((f) => ({
        id: f.id, code: f.code, severity: f.severity, message: f.message, valueText: f.valueText, limitText: f.limitText, reason: f.reason,
        raisedAtMs: f.raisedAtMs, acknowledgedAtMs: f.acknowledgedAtMs,
        acknowledgedByName: f.acknowledgedById ? ctx.userNames.get(f.acknowledgedById) ?? null : null, ackReason: f.ackReason,
      })),
    };
  }
}

/** Plain data of one session, rows in force only. */
export function toExportedSession(row: ExportRow, ctx: ExportContext): ExportedSession {
  return new ExportedSession(row, ctx);
}

/** The context every session of an export shares: clinic, staff names, protocol versions (small lookups, once). */
async function exportContext(actor: Actor, nowMs: number): Promise<ExportContext> {
  const [clinic, users] = await Promise.all([
    db.clinic.findUniqueOrThrow({ where: { id: actor.clinicId }, select: { name: true, timezone: true } }),
    // Flag acknowledgers are staff of this clinic.
    db.user.findMany({ where: { clinicId: actor.clinicId }, select: { id: true, name: true } }),
  ]);
  return { clinicName: clinic.name, timeZone: clinic.timezone, userNames: new Map(users.map((u) => [u.id, u.name])), protocolVersions: new Map(), nowMs };
}

/**
 * Session ids read per round trip, a few batches' worth: a keyset page through Prisma costs
 * milliseconds of CPU whatever its size, and ids are small (1,000 are ~30 KB).
 */
const ID_PAGE_SIZE = 1000;

/** The ids of the sessions of `where` ordered by (openedAt, id), in chunks of `batchSize` (keyset pagination). */
async function* sessionIdBatches(where: Prisma.InfusionSessionWhereInput, batchSize: number): AsyncGenerator<string[]> {
  const pageSize = Math.max(batchSize, ID_PAGE_SIZE);
  let cursor: { openedAt: Date; id: string } | null = null;
  for (;;) {
    const page: { id: string; openedAt: Date }[] = await db.infusionSession.findMany({
      where: cursor
        ? { AND: [where, { OR: [{ openedAt: { gt: cursor.openedAt } }, { openedAt: cursor.openedAt, id: { gt: cursor.id } }] }] }
        : where,
      orderBy: [{ openedAt: "asc" }, { id: "asc" }],
      take: pageSize,
      select: { id: true, openedAt: true },
    });
    for (let i = 0; i < page.length; i += batchSize) yield page.slice(i, i + batchSize).map((s) => s.id);
    if (page.length < pageSize) return;
    cursor = page[page.length - 1]!;
  }
}

/**
 * Batches read ahead of the one being written: their queries run on their own pooled
 * connections (PostgreSQL works on them in parallel) while this process builds and writes.
 * Measured on 2 shared cores, the writer waited on the database for ~35% of an export with
 * two, ~20% with three, no less with four. Each holds one pooled connection of DB_POOL_MAX
 * (10) while its query runs.
 */
export const EXPORT_READ_AHEAD = 3;

/**
 * Reads the sessions of `where` in batches ordered by (openedAt, id). The ids come through
 * Prisma with the export's filter (the one definition of which sessions an export holds,
 * shared with the count); each batch's rows then come from readExportRows. Up to
 * EXPORT_READ_AHEAD batches are read while the current one is built and written, so memory
 * holds at most 1 + EXPORT_READ_AHEAD batches, whatever the export's size.
 */
export async function* exportBatches(actor: Actor, where: Prisma.InfusionSessionWhereInput, nowMs: number, batchSize = EXPORT_BATCH_SIZE) {
  const ctx = await exportContext(actor, nowMs);
  const pages = sessionIdBatches(where, batchSize);
  const reads: Promise<{ ids: string[]; json: string }>[] = [];
  let morePages = true;
  const readAhead = async () => {
    while (morePages && reads.length < EXPORT_READ_AHEAD) {
      const page = await pages.next();
      if (page.done) morePages = false;
      else if (morePages) {
        // (not if the export was cancelled while this page of ids was read)
        const ids = page.value;
        const read = readExportBatchText(actor.clinicId, ids).then((json) => ({ ids, json }));
        // Awaited in turn below; until then (or if the export is cancelled first) a failure
        // must not surface as an unhandled rejection.
        read.catch(() => {});
        reads.push(read);
      }
    }
  };
  try {
    await readAhead();
    while (reads.length) {
      const { ids, json } = await reads.shift()!;
      const refill = readAhead();
      refill.catch(() => {}); // awaited below, after this batch is handed on
      const rows = parseExportBatch(json, ids);
      const missing = [...new Set(rows.map((r) => r.protocolVersionId))].filter((id) => !ctx.protocolVersions.has(id));
      if (missing.length) for (const v of await db.protocolVersion.findMany({ where: { id: { in: missing } } })) ctx.protocolVersions.set(v.id, v);
      yield rows.map((s) => toExportedSession(s, ctx));
      await refill;
    }
  } finally {
    morePages = false; // a cancelled export reads no further page
    await pages.return(undefined);
  }
}

/** A stable UUID per (resource type, record id), so a re-export names the same resources the same way. */
export function stableUuid(resourceType: string, sourceId: string): string {
  const h = createHash("sha256").update(`titrate:${resourceType}:${sourceId}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50; // version 5 layout (name-based)
  h[8] = (h[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = h.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

interface FormatWriter {
  contentType: string;
  head(): Promise<Uint8Array[]> | Uint8Array[];
  batch(sessions: ExportedSession[]): Promise<Uint8Array[]> | Uint8Array[];
  tail(): Promise<Uint8Array[]> | Uint8Array[];
}

const enc = new TextEncoder();

function csvWriter(): FormatWriter {
  return {
    contentType: "text/csv; charset=utf-8",
    head: () => [enc.encode(UTF8_BOM + csvRow(SUMMARY_COLUMNS.map((c) => c.header)))],
    batch: (sessions) => {
      let text = "";
      for (const s of sessions) text += csvRecord(SUMMARY_COLUMNS, (c) => s.summary[c.key]);
      return [enc.encode(text)];
    },
    tail: () => [],
  };
}

/** Streams `{"resourceType":"Bundle",...,"entry":[ ... ]}`; each Patient is written once, before its first session. */
function fhirWriter(exportId: string, timestampIso: string): FormatWriter {
  const patientsWritten = new Set<string>();
  let first = true;
  return {
    contentType: "application/fhir+json; charset=utf-8",
    head: () => [enc.encode(`{"resourceType":"Bundle","id":"${exportId}","type":"collection","timestamp":"${timestampIso}","entry":[`)],
    batch: (sessions) => {
      const parts: string[] = [];
      for (const s of sessions) {
        if (!patientsWritten.has(s.detail.patient.id)) {
          patientsWritten.add(s.detail.patient.id);
          const patient = buildPatient(s.detail.patient, stableUuid);
          parts.push(JSON.stringify({ fullUrl: `urn:uuid:${patient.id}`, resource: patient }));
        }
        for (const e of buildSessionEntries(s.detail, stableUuid)) parts.push(JSON.stringify(e));
      }
      if (parts.length === 0) return [];
      const text = (first ? "" : ",") + parts.join(",");
      first = false;
      return [enc.encode(text)];
    },
    tail: () => [enc.encode("]}")],
  };
}

const CONTENT_TYPES: Record<ExportFormat, string> = { csv: "text/csv; charset=utf-8", fhir: "application/fhir+json; charset=utf-8", pdf: "application/pdf" };

export interface SessionExport {
  exportId: string;
  total: number;
  fileName: string;
  contentType: string;
  stream: ReadableStream<Uint8Array>;
  /** settles when the audit row is written (completion, abort or failure): for tests */
  audited: Promise<void>;
}

/**
 * Opens a streamed export. The filter is checked and counted up front (a bad filter throws
 * BAD_INPUT before anything is written or audited); the rows are read batch by batch as the
 * client reads. When the stream ends, is cancelled (client went away) or fails, one audit
 * row records who, the filter, the format and how many sessions were written, in its own
 * transaction: the row count is known only then.
 */
export async function openSessionExport({ actor, query, now = new Date() }: { actor: Actor; query: ExportQueryInput; now?: Date }): Promise<SessionExport> {
  requirePermission(actor, "export:sessions");
  const { format, ...filter } = query;
  const where = await exportWhere(actor, filter);
  const total = await db.infusionSession.count({ where });
  const exportId = randomUUID();
  const writer: FormatWriter =
    format === "csv" ? csvWriter() : format === "fhir" ? fhirWriter(exportId, now.toISOString()) : createPdfWriter();
  const batches = exportBatches(actor, where, now.getTime());
  let rowCount = 0;
  let settled = false;
  let resolveAudited!: () => void;
  const audited = new Promise<void>((r) => (resolveAudited = r));
  const finish = async (outcome: "completed" | "aborted" | "failed") => {
    if (settled) return;
    settled = true;
    try {
      await db.$transaction((tx) =>
        writeAudit(tx, {
          clinicId: actor.clinicId, actorId: actor.userId, action: "export.sessions", entityType: "Export", entityId: exportId,
          after: { format, filter, outcome, rowCount, expected: total, startedAt: now.toISOString(), finishedAt: new Date().toISOString() },
        }),
      );
    } catch (err) {
      console.error("[export] audit row failed:", err instanceof Error ? err.message : String(err));
    } finally {
      resolveAudited();
    }
  };
  let started = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (!started) {
          started = true;
          for (const c of await writer.head()) controller.enqueue(c);
          return;
        }
        const next = await batches.next();
        if (next.done) {
          for (const c of await writer.tail()) controller.enqueue(c);
          await finish("completed");
          controller.close();
          return;
        }
        for (const c of await writer.batch(next.value)) controller.enqueue(c);
        rowCount += next.value.length;
      } catch (err) {
        console.error("[export] failed:", err instanceof Error ? `${err.name}: ${err.message}` : String(err));
        await finish("failed");
        controller.error(err);
      }
    },
    async cancel() {
      await batches.return(undefined);
      await finish("aborted");
    },
  });
  return { exportId, total, fileName: exportFileName(format, filter.from, filter.to), contentType: CONTENT_TYPES[format], stream, audited };
}
