import "server-only";
import { hasReason } from "@/lib/domain/charting";
import { evaluateScreening } from "@/lib/domain/flags";
import { AppError, conflict, notFound } from "@/lib/errors";
import type { CloseSeriesInput, OrderSeriesInput } from "@/lib/validation/series";
import { requirePermission, type Actor } from "./actor";
import { auditAs } from "./audit";
import type { Tx } from "./db";
import { loadPatient, screeningOf } from "./patients";

/**
 * A physician orders a series on a protocol version. A positive screening answer needs a
 * reason and raises SCREENING_POSITIVE (sources 001, 002: screen before ketamine therapy).
 */
export async function orderSeries(tx: Tx, { actor, patientId, input }: { actor: Actor; patientId: string; input: OrderSeriesInput }) {
  requirePermission(actor, "series:order");
  const patient = await loadPatient(tx, actor, patientId);
  const version = await tx.protocolVersion.findFirst({
    where: { id: input.protocolVersionId, protocol: { clinicId: actor.clinicId } },
    include: { protocol: true },
  });
  if (!version) throw new AppError("BAD_INPUT", { userMessage: "Unknown protocol version.", fields: { protocolVersionId: "not found in this clinic" } });
  if (version.protocol.retiredAt) throw new AppError("CONFLICT", { userMessage: `Protocol "${version.protocol.name}" is retired: no new series.` });
  const screeningFlags = evaluateScreening(screeningOf(patient));
  const overrideReason = input.screeningOverrideReason?.trim();
  if (screeningFlags.length > 0 && !hasReason(overrideReason))
    throw new AppError("BAD_INPUT", {
      userMessage: "The patient's screening is positive: give a reason to order this series.",
      fields: { screeningOverrideReason: "required when screening is positive" },
      detail: { flags: screeningFlags },
    });
  const series = await tx.series.create({
    data: {
      clinicId: actor.clinicId,
      patientId: patient.id,
      protocolVersionId: version.id,
      orderingPhysicianId: actor.userId,
      plannedSessions: input.plannedSessions,
      intervalDays: input.intervalDays ?? null,
      startDate: new Date(`${input.startDate}T00:00:00Z`),
      screeningOverrideReason: screeningFlags.length ? overrideReason : null,
    },
  });
  const audit = auditAs(tx, actor);
  await audit("series.order", "Series", series.id, { after: series });
  const flags = [];
  for (const f of screeningFlags) {
    const flag = await tx.flag.create({
      data: {
        clinicId: actor.clinicId, seriesId: series.id, code: f.code, severity: f.severity,
        valueText: f.valueText, limitText: f.limitText, message: f.message,
        sourceType: "Series", sourceId: series.id, reason: overrideReason, raisedById: actor.userId,
      },
    });
    await audit("flag.raise", "Flag", flag.id, { after: flag });
    flags.push(flag);
  }
  return {
    series: {
      id: series.id, patientId: series.patientId, protocolVersionId: series.protocolVersionId,
      plannedSessions: series.plannedSessions, intervalDays: series.intervalDays,
      startDate: series.startDate.toISOString().slice(0, 10), status: series.status,
    },
    flags: flags.map(flagDtoLite),
  };
}

/**
 * A physician ends an active series: COMPLETED when the course is over, CANCELLED when it
 * stops early (with a reason). No session may be in progress; an ended series takes no new
 * sessions and is never reopened (a new course is a new series, which the review compares
 * with this one). Follow-up pain scores are still accepted on its sessions.
 */
export async function closeSeries(tx: Tx, { actor, seriesId, input, now = new Date() }: { actor: Actor; seriesId: string; input: CloseSeriesInput; now?: Date }) {
  requirePermission(actor, "series:order");
  // Locked like startSession locks it, so a session cannot start as the series ends.
  const rows = await tx.$queryRaw<{ id: string; status: string; inProgress: boolean }[]>`
    SELECT s.id, s.status::text AS status,
           EXISTS (SELECT 1 FROM "InfusionSession" i WHERE i."seriesId" = s.id AND i.status = 'IN_PROGRESS') AS "inProgress"
      FROM "Series" s
     WHERE s.id = ${seriesId} AND s."clinicId" = ${actor.clinicId}
       FOR UPDATE OF s`;
  const current = rows[0];
  if (!current) throw notFound("Series");
  if (current.status !== "ACTIVE") throw conflict(`This series is already ${current.status.toLowerCase()}.`);
  if (current.inProgress) throw conflict("A session of this series is in progress: complete it before ending the series.");
  const reason = input.reason?.trim() || null;
  const updated = await tx.series.update({
    where: { id: seriesId },
    data: { status: input.outcome, closedAt: now, closedById: actor.userId, closeReason: reason },
  });
  await auditAs(tx, actor)("series.close", "Series", seriesId, {
    before: { status: "ACTIVE" },
    after: { status: updated.status, closedAt: now, closeReason: reason },
  });
  return {
    series: {
      id: updated.id, status: updated.status, closedAt: now.toISOString(), closedById: actor.userId, closeReason: reason,
    },
  };
}

export async function loadSeries(tx: Tx, actor: Actor, seriesId: string) {
  const s = await tx.series.findFirst({
    where: { id: seriesId, clinicId: actor.clinicId },
    include: { protocolVersion: { include: { protocol: true } }, patient: true },
  });
  if (!s) throw notFound("Series");
  return s;
}

export function flagDtoLite(f: { id: string; code: string; severity: string; valueText: string; limitText: string; message: string; reason: string | null; acknowledgedAt: Date | null }) {
  return { id: f.id, code: f.code, severity: f.severity, valueText: f.valueText, limitText: f.limitText, message: f.message, reason: f.reason, acknowledged: f.acknowledgedAt !== null };
}
