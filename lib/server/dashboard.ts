import "server-only";
import { startOfDayInZone } from "@/lib/time";
import { requirePermission, type Actor } from "./actor";
import { db } from "./db";

/** Nurse: sessions in progress and opened today, and active series ready for a session. */
export async function findNurseWorklist({ actor, now = new Date() }: { actor: Actor; now?: Date }) {
  requirePermission(actor, "session:chart");
  const dayStart = startOfDayInZone(now, actor.clinicTimezone);
  const [sessions, series] = await Promise.all([
    db.infusionSession.findMany({
      where: { clinicId: actor.clinicId, OR: [{ status: "IN_PROGRESS" }, { openedAt: { gte: dayStart } }] },
      orderBy: { openedAt: "desc" },
      include: {
        series: { include: { patient: true, protocolVersion: { include: { protocol: true } } } },
        nurse: { select: { name: true } },
        _count: { select: { flags: { where: { acknowledgedAt: null } } } },
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

/** Physician: patients with unacknowledged flags (HARD first) and sessions awaiting review. */
export async function findPhysicianWorklist({ actor }: { actor: Actor }) {
  requirePermission(actor, "flag:acknowledge");
  const [flags, unreviewed] = await Promise.all([
    db.flag.findMany({
      where: { clinicId: actor.clinicId, acknowledgedAt: null },
      select: { severity: true, raisedAt: true, series: { select: { id: true, patient: { select: { id: true, mrn: true, givenName: true, familyName: true } } } } },
      orderBy: { raisedAt: "asc" },
      take: 2000,
    }),
    db.infusionSession.findMany({
      where: { clinicId: actor.clinicId, status: { in: ["COMPLETED", "SIGNED"] }, reviews: { none: { signedAt: { not: null } } } },
      include: { series: { include: { patient: true, protocolVersion: { include: { protocol: true } } } } },
      orderBy: { completedAt: "asc" },
      take: 50,
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
  return {
    patientsWithOpenFlags: patients,
    sessionsAwaitingReview: unreviewed.map((s) => ({
      id: s.id, seriesId: s.seriesId, status: s.status, completedAt: s.completedAt?.toISOString() ?? null,
      patientName: `${s.series.patient.familyName}, ${s.series.patient.givenName}`, mrn: s.series.patient.mrn,
      protocolName: s.series.protocolVersion.protocol.name, sequence: s.sequence,
    })),
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
