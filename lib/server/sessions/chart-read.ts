import "server-only";
import { effectiveRows, sessionTotals } from "@/lib/domain/charting";
import type { ProtocolLimits } from "@/lib/domain/protocol";
import { notFound } from "@/lib/errors";
import { requirePermission, type Actor } from "../actor";
import { recordAccess } from "../access-audit";
import { db } from "../db";
import { limitsOf } from "../protocols";
import { deviceReadingDto, doseEventDto, flagDto, painDto, sideEffectDto, toPoint, vitalsDto } from "./dto";
import { SYSTEM_ACTOR_ID } from "./flag-reconcile";

/** Everything charted on a session, its flags and its computed totals. */
/** `route`: the page or API route showing the chart, for its access row (lib/server/access-audit.ts). */
export async function getSessionChart({ actor, sessionId, now = new Date(), route = "internal" }: { actor: Actor; sessionId: string; now?: Date; route?: string }) {
  requirePermission(actor, "patient:read");
  const s = await db.infusionSession.findFirst({
    where: { id: sessionId, clinicId: actor.clinicId },
    include: {
      series: { include: { patient: true, protocolVersion: { include: { protocol: true } }, _count: { select: { sessions: true } } } },
      nurse: { select: { name: true } },
      signedBy: { select: { name: true } },
      doseEvents: { orderBy: [{ at: "asc" }, { enteredAt: "asc" }] },
      vitals: { orderBy: [{ at: "asc" }, { enteredAt: "asc" }] },
      painScores: { orderBy: [{ at: "asc" }, { enteredAt: "asc" }] },
      sideEffects: { orderBy: [{ at: "asc" }, { enteredAt: "asc" }] },
      flags: { orderBy: { raisedAt: "asc" } },
      addenda: { orderBy: { createdAt: "asc" } },
      // monitor readings (docs/decisions/0021-monitor-vitals-over-hl7.md): pending ones to validate, the others as the source of their sets
      deviceVitals: { orderBy: [{ at: "asc" }, { receivedAt: "asc" }], include: { device: { select: { name: true } } } },
    },
  });
  if (!s) throw notFound("Session");
  const userIds = new Set<string>([
    ...s.flags.flatMap((f) => [f.acknowledgedById, f.raisedById]),
    ...s.doseEvents.map((r) => r.enteredById), ...s.vitals.map((r) => r.enteredById),
    ...s.painScores.map((r) => r.enteredById), ...s.sideEffects.map((r) => r.enteredById),
    ...s.addenda.map((a) => a.authorId), ...s.deviceVitals.map((r) => r.validatedById),
  ].filter((x): x is string => !!x));
  // the names and the access row in parallel: the chart is returned only once both are written
  const [users] = await Promise.all([
    db.user.findMany({ where: { id: { in: [...userIds] }, clinicId: actor.clinicId }, select: { id: true, name: true } }),
    recordAccess(actor, { route, record: "InfusionSession", recordId: s.id, patientIds: [s.series.patientId] }),
  ]);
  const names = Object.fromEntries(users.map((u) => [u.id, u.name]));
  const pv = s.series.protocolVersion;
  const limits: ProtocolLimits = limitsOf(pv);
  const effectiveDose = effectiveRows(s.doseEvents).map(toPoint);
  const endForTotals = s.status === "IN_PROGRESS" ? now.getTime() : (s.completedAt ?? now).getTime();
  const p = s.series.patient;
  return {
    id: s.id, status: s.status, sequence: s.sequence, rowVersion: s.rowVersion,
    openedAt: s.openedAt.toISOString(), completedAt: s.completedAt?.toISOString() ?? null,
    signedAt: s.signedAt?.toISOString() ?? null, signedBy: s.signedBy?.name ?? null,
    nurse: s.nurse.name, nurseId: s.nurseId, dischargeReady: s.dischargeReady, dischargeNote: s.dischargeNote,
    consentConfirmed: s.consentConfirmed, screeningReviewed: s.screeningReviewed,
    weightG: s.weightG, weightKg: s.weightG / 1000, concentrationUgPerMl: s.concentrationUgPerMl, concentrationMgPerMl: s.concentrationUgPerMl / 1000,
    patient: { id: p.id, mrn: p.mrn, name: `${p.familyName}, ${p.givenName}`, birthDate: p.birthDate.toISOString().slice(0, 10), sex: p.sex, allergies: p.allergies },
    series: { id: s.seriesId, plannedSessions: s.series.plannedSessions, sessionCount: s.series._count.sessions, status: s.series.status },
    protocol: {
      id: pv.protocol.id, versionId: pv.id, name: pv.protocol.name, version: pv.version, route: pv.protocol.route, indication: pv.protocol.indication,
      limits, sourceDocument: pv.sourceDocument, sourceWording: pv.sourceWording, limitRationale: pv.limitRationale,
    },
    doseEvents: s.doseEvents.map((r) => ({ ...doseEventDto(r), enteredBy: names[r.enteredById] ?? null })),
    vitals: s.vitals.map((r) => ({ ...vitalsDto(r), enteredBy: names[r.enteredById] ?? null })),
    painScores: s.painScores.map((r) => ({ ...painDto(r), enteredBy: r.reportedBy === "PATIENT" ? "Patient (check-in)" : names[r.enteredById] ?? null })),
    sideEffects: s.sideEffects.map((r) => ({ ...sideEffectDto(r), enteredBy: names[r.enteredById] ?? null })),
    flags: s.flags.map((f) => ({ ...flagDto(f, f.acknowledgedById ? names[f.acknowledgedById] ?? null : null), raisedBy: names[f.raisedById] ?? (f.raisedById === SYSTEM_ACTOR_ID ? "Titrate clock" : null) })),
    addenda: s.addenda.map((a) => ({ id: a.id, text: a.text, createdAt: a.createdAt.toISOString(), author: names[a.authorId] ?? null })),
    deviceReadings: s.deviceVitals.map((r) => ({ ...deviceReadingDto(r), validatedBy: r.validatedById ? names[r.validatedById] ?? null : null })),
    totals: sessionTotals(effectiveDose, s.weightG, endForTotals, s.openedAt.getTime(), s.completedAt?.getTime() ?? null),
    serverNow: now.toISOString(),
  };
}
export type SessionChart = Awaited<ReturnType<typeof getSessionChart>>;
