import "server-only";
import { dayNumber, nextSessionDueDate } from "@/lib/domain/series-summary";
import { formatDate, startOfDayInZone } from "@/lib/time";
import { requirePermission, type Actor } from "./actor";
import { recordAccess } from "./access-audit";
import { db } from "./db";

/** Nurse: sessions in progress and opened today, and active series ready for a session. */
export async function findNurseWorklist({ actor, now = new Date(), route = "internal" }: { actor: Actor; now?: Date; route?: string }) {
  requirePermission(actor, "session:chart");
  const dayStart = startOfDayInZone(now, actor.clinicTimezone);
  const [sessions, series] = await Promise.all([
    db.infusionSession.findMany({
      where: { clinicId: actor.clinicId, OR: [{ status: "IN_PROGRESS" }, { openedAt: { gte: dayStart } }] },
      orderBy: { openedAt: "desc" },
      include: {
        series: { include: { patient: true, protocolVersion: { include: { protocol: true } } } },
        nurse: { select: { name: true } },
        _count: { select: { flags: { where: { acknowledgedAt: null, resolvedAt: null } } } },
      },
      take: 100,
    }),
    db.series.findMany({
      where: { clinicId: actor.clinicId, status: "ACTIVE", sessions: { none: { status: "IN_PROGRESS" } } },
      include: { patient: true, protocolVersion: { include: { protocol: true } }, _count: { select: { sessions: true } } },
      orderBy: { startDate: "asc" },
      take: 100,
    }),
  ]);
  await recordAccess(actor, { route, record: "PatientList", recordId: actor.clinicId, patientIds: [...sessions.map((s) => s.series.patientId), ...series.map((s) => s.patientId)] });
  return {
    sessions: sessions.map((s) => ({
      id: s.id, status: s.status, openedAt: s.openedAt.toISOString(), sequence: s.sequence, nurse: s.nurse.name,
      patientName: `${s.series.patient.familyName}, ${s.series.patient.givenName}`, mrn: s.series.patient.mrn,
      protocolName: s.series.protocolVersion.protocol.name, openFlags: s._count.flags,
    })),
    readySeries: series.map((s) => ({
      id: s.id, patientId: s.patientId, patientName: `${s.patient.familyName}, ${s.patient.givenName}`, mrn: s.patient.mrn,
      protocolName: s.protocolVersion.protocol.name, sessionsDone: s._count.sessions, plannedSessions: s.plannedSessions,
    })),
  };
}

/**
 * Physician: patients with unacknowledged flags (HARD first, then oldest), sessions awaiting
 * review (open hard flags first, then oldest), and active series due for their next
 * session (most overdue first). A session counts as reviewed by its own signed review or
 * by a signed series review made after it was completed.
 */
export async function findPhysicianWorklist({ actor, now = new Date(), route = "internal" }: { actor: Actor; now?: Date; route?: string }) {
  requirePermission(actor, "flag:acknowledge");
  const [flags, unreviewed, active] = await Promise.all([
    db.flag.findMany({
      where: { clinicId: actor.clinicId, acknowledgedAt: null, resolvedAt: null },
      select: { severity: true, raisedAt: true, series: { select: { id: true, patient: { select: { id: true, mrn: true, givenName: true, familyName: true } } } } },
      orderBy: { raisedAt: "asc" },
      take: 2000,
    }),
    db.infusionSession.findMany({
      where: { clinicId: actor.clinicId, status: { in: ["COMPLETED", "SIGNED"] }, reviews: { none: { signedAt: { not: null } } } },
      include: {
        series: { include: { patient: true, protocolVersion: { include: { protocol: true } }, reviews: { where: { sessionId: null, signedAt: { not: null } }, select: { signedAt: true } } } },
        _count: { select: { flags: { where: { acknowledgedAt: null, resolvedAt: null, severity: "HARD" } } } },
      },
      orderBy: { completedAt: "asc" },
      take: 200,
    }),
    db.series.findMany({
      where: { clinicId: actor.clinicId, status: "ACTIVE", intervalDays: { gt: 0 }, sessions: { none: { status: "IN_PROGRESS" } } },
      include: {
        patient: { select: { id: true, mrn: true, givenName: true, familyName: true } },
        protocolVersion: { include: { protocol: { select: { name: true } } } },
        sessions: { select: { openedAt: true }, orderBy: { sequence: "desc" }, take: 1 },
        _count: { select: { sessions: true } },
      },
      take: 500,
    }),
  ]);
  const byPatient = new Map<string, { patientId: string; name: string; mrn: string; hard: number; soft: number; oldest: string; seriesId: string }>();
  for (const f of flags) {
    const p = f.series.patient;
    const row = byPatient.get(p.id) ?? { patientId: p.id, name: `${p.familyName}, ${p.givenName}`, mrn: p.mrn, hard: 0, soft: 0, oldest: f.raisedAt.toISOString(), seriesId: f.series.id };
    if (f.severity === "HARD") row.hard++;
    else row.soft++;
    byPatient.set(p.id, row);
  }
  const patients = [...byPatient.values()].sort((a, b) => b.hard - a.hard || a.oldest.localeCompare(b.oldest));
  const awaiting = unreviewed
    .filter((s) => !s.series.reviews.some((r) => r.signedAt && s.completedAt && r.signedAt >= s.completedAt))
    .sort((a, b) => b._count.flags - a._count.flags || (a.completedAt?.getTime() ?? 0) - (b.completedAt?.getTime() ?? 0))
    .slice(0, 50);
  const tz = actor.clinicTimezone;
  const today = dayNumber(formatDate(now, tz));
  const seriesDue = active
    .map((s) => {
      const last = s.sessions[0];
      const due = nextSessionDueDate({
        startDate: s.startDate.toISOString().slice(0, 10), intervalDays: s.intervalDays, plannedSessions: s.plannedSessions,
        sessionsStarted: s._count.sessions, lastSessionDate: last ? formatDate(last.openedAt, tz) : null,
      });
      return due === null ? null : {
        seriesId: s.id, patientId: s.patient.id, patientName: `${s.patient.familyName}, ${s.patient.givenName}`, mrn: s.patient.mrn,
        protocolName: s.protocolVersion.protocol.name, sessionsDone: s._count.sessions, plannedSessions: s.plannedSessions,
        dueDate: due, daysOverdue: today - dayNumber(due),
      };
    })
    // due today or earlier, or tomorrow (so it can be planned)
    .filter((s): s is NonNullable<typeof s> => s !== null && s.daysOverdue >= -1)
    .sort((a, b) => b.daysOverdue - a.daysOverdue || a.patientName.localeCompare(b.patientName));
  await recordAccess(actor, {
    route, record: "PatientList", recordId: actor.clinicId,
    patientIds: [...patients.map((p) => p.patientId), ...awaiting.map((s) => s.series.patientId), ...seriesDue.map((s) => s.patientId)],
  });
  return {
    patientsWithOpenFlags: patients,
    sessionsAwaitingReview: awaiting.map((s) => ({
      id: s.id, seriesId: s.seriesId, status: s.status, completedAt: s.completedAt?.toISOString() ?? null,
      patientName: `${s.series.patient.familyName}, ${s.series.patient.givenName}`, mrn: s.series.patient.mrn,
      protocolName: s.series.protocolVersion.protocol.name, sequence: s.sequence, openHardFlags: s._count.flags,
    })),
    seriesDue,
  };
}

/** Admin: staff of the clinic. */
export async function findStaff({ actor }: { actor: Actor }) {
  requirePermission(actor, "staff:manage");
  const users = await db.user.findMany({
    where: { clinicId: actor.clinicId },
    orderBy: [{ active: "desc" }, { name: "asc" }],
    select: { id: true, name: true, email: true, role: true, active: true, lockedUntil: true, createdAt: true },
  });
  return users.map((u) => ({ ...u, lockedUntil: u.lockedUntil?.toISOString() ?? null, createdAt: u.createdAt.toISOString() }));
}
