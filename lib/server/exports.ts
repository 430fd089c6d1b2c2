import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { csvRow, UTF8_BOM } from "@/lib/domain/csv";
import type { DoseEventPoint } from "@/lib/domain/dose";
import { buildPatient, buildSessionEntries, type FhirSessionInput } from "@/lib/domain/fhir";
import { documentedBand } from "@/lib/domain/protocol";
import { buildSessionSummary, SUMMARY_COLUMNS, type SessionSummary } from "@/lib/domain/session-summary";
import { zoneOffsetMin } from "@/lib/domain/time";
import { badInput } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import { exportFileName, type ExportFilterInput, type ExportFormat, type ExportQueryInput } from "@/lib/validation/export";
import { requirePermission, type Actor } from "./actor";
import { writeAudit } from "./audit";
import { db } from "./db";
import { createPdfWriter, type PdfSession } from "./export-pdf";
import { limitsOf } from "./protocols";
import { effectiveRows } from "@/lib/domain/charting";

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

const correctionCols = { id: true, correctsId: true, isRetraction: true } as const;
const sessionInclude = {
  series: {
    select: {
      patient: { select: { id: true, mrn: true, givenName: true, familyName: true, birthDate: true, sex: true } },
      orderingPhysician: { select: { name: true } },
      protocolVersion: { include: { protocol: { select: { name: true, route: true } } } },
    },
  },
  nurse: { select: { name: true } },
  signedBy: { select: { name: true } },
  doseEvents: { select: { ...correctionCols, type: true, at: true, rateUgPerKgPerH: true, bolusUg: true }, orderBy: [{ at: "asc" }, { enteredAt: "asc" }] },
  vitals: {
    select: { ...correctionCols, at: true, systolicMmHg: true, diastolicMmHg: true, heartRatePerMin: true, spo2Pct: true, respRatePerMin: true, temperatureDeciC: true },
    orderBy: [{ at: "asc" }, { enteredAt: "asc" }],
  },
  painScores: { select: { ...correctionCols, at: true, score: true, scale: true, phase: true }, orderBy: [{ at: "asc" }, { enteredAt: "asc" }] },
  sideEffects: { select: { ...correctionCols, at: true, kind: true, severity: true, intervention: true, note: true }, orderBy: [{ at: "asc" }, { enteredAt: "asc" }] },
  flags: {
    select: { id: true, code: true, severity: true, message: true, valueText: true, limitText: true, reason: true, raisedAt: true, acknowledgedAt: true, acknowledgedById: true, ackReason: true },
    orderBy: { raisedAt: "asc" },
  },
} satisfies Prisma.InfusionSessionInclude;
type SessionRow = Prisma.InfusionSessionGetPayload<{ include: typeof sessionInclude }>;

/** One exported session: the summary row and the charted detail the FHIR and PDF writers need. */
export interface ExportedSession {
  readonly summary: SessionSummary;
  readonly detail: FhirSessionInput;
  readonly pdf: PdfSession;
}

/** Plain data of one session, rows in force only; the one place the export reads Prisma rows. */
export function toExportedSession(s: SessionRow, ctx: { clinicName: string; timeZone: string; userNames: Map<string, string>; nowMs: number }): ExportedSession {
  const p = s.series.patient;
  const pv = s.series.protocolVersion;
  const doseRows = effectiveRows(s.doseEvents);
  const vitals = effectiveRows(s.vitals);
  const pain = effectiveRows(s.painScores);
  const sideEffects = effectiveRows(s.sideEffects);
  const doseEvents: DoseEventPoint[] = doseRows.map((e) => ({ type: e.type, atMs: e.at.getTime(), rateUgPerKgPerH: e.rateUgPerKgPerH, bolusUg: e.bolusUg }));
  const birthDate = p.birthDate.toISOString().slice(0, 10);
  const summary = buildSessionSummary({
    clinicName: ctx.clinicName, timeZone: ctx.timeZone, mrn: p.mrn, patientName: `${p.familyName}, ${p.givenName}`, birthDate,
    protocolName: pv.protocol.name, protocolVersion: pv.version, status: s.status,
    openedAtMs: s.openedAt.getTime(), completedAtMs: s.completedAt?.getTime() ?? null, signedAtMs: s.signedAt?.getTime() ?? null,
    weightG: s.weightG, nurseName: s.nurse.name, physicianName: s.series.orderingPhysician.name, signedByName: s.signedBy?.name ?? null,
    doseEvents,
    vitals,
    pain: pain.map((x) => ({ atMs: x.at.getTime(), score: x.score, scale: x.scale, phase: x.phase })),
    sideEffects,
    flags: s.flags.map((f) => ({ acknowledged: f.acknowledgedAt !== null })),
  }, ctx.nowMs);
  // The charted detail is only needed by the FHIR and PDF writers: built on first use, so a
  // CSV export pays for the summary alone.
  const buildDetail = (): FhirSessionInput => {
  const stop = doseEvents.find((e) => e.type === "STOP");
  return {
    timeZone: ctx.timeZone,
    clinicName: ctx.clinicName,
    patient: { id: p.id, mrn: p.mrn, givenName: p.givenName, familyName: p.familyName, birthDate, sex: p.sex },
    session: {
      id: s.id, status: s.status, openedAtMs: s.openedAt.getTime(), endMs: stop?.atMs ?? s.completedAt?.getTime() ?? null,
      weightG: s.weightG, concentrationUgPerMl: s.concentrationUgPerMl, protocolName: pv.protocol.name, protocolVersion: pv.version,
      route: pv.protocol.route, nurseName: s.nurse.name, physicianName: s.series.orderingPhysician.name, signedByName: s.signedBy?.name ?? null,
    },
    doseEvents: doseRows.map((e) => ({ id: e.id, type: e.type, atMs: e.at.getTime(), rateUgPerKgPerH: e.rateUgPerKgPerH, bolusUg: e.bolusUg })),
    vitals: vitals.map((v) => ({
      id: v.id, atMs: v.at.getTime(), systolicMmHg: v.systolicMmHg, diastolicMmHg: v.diastolicMmHg, heartRatePerMin: v.heartRatePerMin,
      spo2Pct: v.spo2Pct, respRatePerMin: v.respRatePerMin, temperatureDeciC: v.temperatureDeciC,
    })),
    pain: pain.map((x) => ({ id: x.id, atMs: x.at.getTime(), score: x.score, scale: x.scale, phase: x.phase })),
    sideEffects: sideEffects.map((e) => ({ id: e.id, atMs: e.at.getTime(), kind: e.kind, severity: e.severity, intervention: e.intervention, note: e.note })),
    flags: s.flags.map((f) => ({
      id: f.id, code: f.code, severity: f.severity, message: f.message, valueText: f.valueText, limitText: f.limitText, reason: f.reason,
      raisedAtMs: f.raisedAt.getTime(), acknowledgedAtMs: f.acknowledgedAt?.getTime() ?? null,
      acknowledgedByName: f.acknowledgedById ? ctx.userNames.get(f.acknowledgedById) ?? null : null, ackReason: f.ackReason,
    })),
  };
  };
  let detail: FhirSessionInput | undefined;
  return {
    summary,
    get detail() {
      return (detail ??= buildDetail());
    },
    get pdf() {
      return { summary, detail: this.detail, band: documentedBand(limitsOf(pv)), nowMs: ctx.nowMs };
    },
  };
}

/**
 * Reads the sessions of `where` in keyset-paginated batches ordered by (openedAt, id): each
 * batch is one query with its charted rows, so memory holds one batch at a time.
 */
export async function* exportBatches(actor: Actor, where: Prisma.InfusionSessionWhereInput, nowMs: number, batchSize = EXPORT_BATCH_SIZE) {
  const clinic = await db.clinic.findUniqueOrThrow({ where: { id: actor.clinicId }, select: { name: true, timezone: true } });
  // Flag acknowledgers are staff of this clinic: one small lookup for the whole export.
  const users = await db.user.findMany({ where: { clinicId: actor.clinicId }, select: { id: true, name: true } });
  const ctx = { clinicName: clinic.name, timeZone: clinic.timezone, userNames: new Map(users.map((u) => [u.id, u.name])), nowMs };
  let cursor: { openedAt: Date; id: string } | null = null;
  for (;;) {
    const page: SessionRow[] = await db.infusionSession.findMany({
      where: cursor
        ? { AND: [where, { OR: [{ openedAt: { gt: cursor.openedAt } }, { openedAt: cursor.openedAt, id: { gt: cursor.id } }] }] }
        : where,
      orderBy: [{ openedAt: "asc" }, { id: "asc" }],
      take: batchSize,
      include: sessionInclude,
    });
    if (page.length === 0) return;
    yield page.map((s) => toExportedSession(s, ctx));
    if (page.length < batchSize) return;
    const last = page[page.length - 1]!;
    cursor = { openedAt: last.openedAt, id: last.id };
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
    batch: (sessions) => [enc.encode(sessions.map((s) => csvRow(SUMMARY_COLUMNS.map((c) => s.summary[c.key]))).join(""))],
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
