import "server-only";
import { effectiveRows } from "@/lib/domain/charting";
import type { DoseEventPoint } from "@/lib/domain/dose";
import type { FhirSessionInput } from "@/lib/domain/fhir";
import { documentedBand } from "@/lib/domain/protocol";
import { buildSessionSummary, type SessionSummary } from "@/lib/domain/session-summary";
import type { ProtocolVersion } from "@/lib/generated/prisma/client";
import type { Actor } from "../actor";
import { db } from "../db";
import { limitsOf } from "../protocols";
import type { ExportRow } from "../sql/export-batch";
import type { PdfSession } from "./pdf-writer";

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
      flags: s.flags.map((f) => ({ acknowledged: f.acknowledgedAtMs !== null, resolved: f.resolvedAtMs !== null })),
      // late documentation (decision 0009): each row in force, its clinical time and when it was charted
      chartedTimes: [...effectiveRows(s.doseEvents), ...effectiveRows(s.vitals), ...effectiveRows(s.painScores), ...effectiveRows(s.sideEffects)]
        .map((r) => ({ atMs: r.atMs, enteredAtMs: r.enteredAtMs, queuedAtMs: r.queuedAtMs })),
      lateEntryReason: s.lateEntryReason,
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
        id: s.id, status: s.status, openedAtMs: s.openedAtMs, enteredAtMs: s.enteredAtMs, lateEntryReason: s.lateEntryReason, endMs: stop?.atMs ?? s.completedAtMs,
        weightG: s.weightG, concentrationUgPerMl: s.concentrationUgPerMl, protocolName: s.protocolName, protocolVersion: s.protocolVersion,
        route: s.route, nurseName: s.nurseName, physicianName: s.physicianName, signedByName: s.signedByName,
      },
      doseEvents: doseRows.map((e) => ({ id: e.id, type: e.type, atMs: e.atMs, enteredAtMs: e.enteredAtMs, queuedAtMs: e.queuedAtMs, rateUgPerKgPerH: e.rateUgPerKgPerH, bolusUg: e.bolusUg })),
      vitals: effectiveRows(s.vitals).map((v) => ({
        id: v.id, atMs: v.atMs, enteredAtMs: v.enteredAtMs, queuedAtMs: v.queuedAtMs, systolicMmHg: v.systolicMmHg, diastolicMmHg: v.diastolicMmHg, heartRatePerMin: v.heartRatePerMin,
        spo2Pct: v.spo2Pct, respRatePerMin: v.respRatePerMin, temperatureDeciC: v.temperatureDeciC,
      })),
      pain: effectiveRows(s.painScores).map((x) => ({ id: x.id, atMs: x.atMs, enteredAtMs: x.enteredAtMs, queuedAtMs: x.queuedAtMs, score: x.score, scale: x.scale, phase: x.phase, reportedBy: x.reportedBy })),
      sideEffects: effectiveRows(s.sideEffects).map((e) => ({ id: e.id, atMs: e.atMs, enteredAtMs: e.enteredAtMs, queuedAtMs: e.queuedAtMs, kind: e.kind, severity: e.severity, intervention: e.intervention, note: e.note })),
      flags: s.flags.map((f) => ({
        id: f.id, code: f.code, severity: f.severity, message: f.message, valueText: f.valueText, limitText: f.limitText, reason: f.reason,
        raisedAtMs: f.raisedAtMs, acknowledgedAtMs: f.acknowledgedAtMs,
        acknowledgedByName: f.acknowledgedById ? ctx.userNames.get(f.acknowledgedById) ?? null : null, ackReason: f.ackReason,
        resolvedAtMs: f.resolvedAtMs, resolution: f.resolution,
      })),
    };
  }
}

/** Plain data of one session, rows in force only. */
export function toExportedSession(row: ExportRow, ctx: ExportContext): ExportedSession {
  return new ExportedSession(row, ctx);
}

/** The context every session of an export shares: clinic, staff names, protocol versions (small lookups, once). */
export async function exportContext(actor: Actor, nowMs: number): Promise<ExportContext> {
  const [clinic, users] = await Promise.all([
    db.clinic.findUniqueOrThrow({ where: { id: actor.clinicId }, select: { name: true, timezone: true } }),
    // Flag acknowledgers are staff of this clinic.
    db.user.findMany({ where: { clinicId: actor.clinicId }, select: { id: true, name: true } }),
  ]);
  return { clinicName: clinic.name, timeZone: clinic.timezone, userNames: new Map(users.map((u) => [u.id, u.name])), protocolVersions: new Map(), nowMs };
}

/** Loads the protocol versions of `rows` not yet in `ctx` (a handful per export: the PDF's band needs their limits). */
export async function loadProtocolVersions(ctx: ExportContext, rows: readonly ExportRow[]): Promise<void> {
  const missing = [...new Set(rows.map((r) => r.protocolVersionId))].filter((id) => !ctx.protocolVersions.has(id));
  if (missing.length) for (const v of await db.protocolVersion.findMany({ where: { id: { in: missing } } })) ctx.protocolVersions.set(v.id, v);
}
