import "server-only";
import { z } from "zod";
import { zoneOffsetMin } from "@/lib/domain/time";
import type { Prisma } from "@/lib/generated/prisma/client";
import { calendarDate, cuidLike } from "@/lib/validation/common";
import { requirePermission, type Actor } from "./actor";
import { recordAccess } from "./access-audit";
import { db } from "./db";
import { zodToAppError } from "./http";

export const AUDIT_PAGE_SIZE = 50;

/** Filters of the audit log viewer, read from the page's query string (all optional). */
export const AuditFilterSchema = z.strictObject({
  userId: cuidLike.optional(),
  patientId: cuidLike.optional(),
  entityType: z.string().trim().max(64).regex(/^[A-Za-z]+$/, "letters only").optional(),
  entityId: z.string().trim().max(64).regex(/^[A-Za-z0-9_-]+$/, "is not a valid id").optional(),
  action: z.string().trim().max(64).regex(/^[a-z.]+$/, "lower-case letters and dots").optional(),
  from: calendarDate.optional(),
  to: calendarDate.optional(),
  page: z.coerce.number().int().min(1).max(100_000).optional(),
});
export type AuditFilter = z.infer<typeof AuditFilterSchema>;

/** Empty query-string values mean "no filter". */
export function parseAuditFilter(params: Record<string, string | string[] | undefined>): AuditFilter {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    const s = Array.isArray(v) ? v[0] : v;
    if (s !== undefined && s.trim() !== "") clean[k] = s.trim();
  }
  const parsed = AuditFilterSchema.safeParse(clean);
  if (!parsed.success) throw zodToAppError(parsed.error);
  return parsed.data;
}

/** The UTC instant a calendar day starts in the clinic's zone. */
function dayStart(ymd: string, timeZone: string): Date {
  const guess = new Date(`${ymd}T00:00:00Z`);
  return new Date(guess.getTime() - zoneOffsetMin(guess, timeZone) * 60_000);
}

/** Every record id that belongs to a patient's chart: the patient, series, sessions and their rows. */
async function patientEntityIds(clinicId: string, patientId: string): Promise<string[]> {
  const patient = await db.patient.findFirst({ where: { id: patientId, clinicId }, select: { id: true } });
  if (!patient) return [];
  const series = await db.series.findMany({ where: { patientId, clinicId }, select: { id: true } });
  const seriesIds = series.map((s) => s.id);
  const sessions = await db.infusionSession.findMany({ where: { seriesId: { in: seriesIds } }, select: { id: true } });
  const sessionIds = sessions.map((s) => s.id);
  const rows = await Promise.all([
    db.doseEvent.findMany({ where: { sessionId: { in: sessionIds } }, select: { id: true } }),
    db.vitalSigns.findMany({ where: { sessionId: { in: sessionIds } }, select: { id: true } }),
    db.sideEffect.findMany({ where: { sessionId: { in: sessionIds } }, select: { id: true } }),
    db.sessionAddendum.findMany({ where: { sessionId: { in: sessionIds } }, select: { id: true } }),
    db.painScore.findMany({ where: { seriesId: { in: seriesIds } }, select: { id: true } }),
    db.flag.findMany({ where: { seriesId: { in: seriesIds } }, select: { id: true } }),
    db.review.findMany({ where: { seriesId: { in: seriesIds } }, select: { id: true } }),
  ]);
  return [patient.id, ...seriesIds, ...sessionIds, ...rows.flat().map((r) => r.id)];
}

/** One page of the clinic's audit log, newest first, with who acted and what changed. */
/** `route` names the page for the access row a patient filter writes (the rows show that patient's chart changes). */
export async function findAuditEvents({ actor, filter, route = "internal" }: { actor: Actor; filter: AuditFilter; route?: string }) {
  requirePermission(actor, "audit:read");
  const tz = actor.clinicTimezone;
  const where: Prisma.AuditEventWhereInput = { clinicId: actor.clinicId };
  if (filter.userId) where.actorId = filter.userId;
  if (filter.action) where.action = { startsWith: filter.action };
  if (filter.entityType) where.entityType = filter.entityType;
  if (filter.entityId) where.entityId = filter.entityId;
  if (filter.from || filter.to) {
    where.at = {};
    if (filter.from) where.at.gte = dayStart(filter.from, tz);
    if (filter.to) {
      const next = new Date(`${filter.to}T00:00:00Z`);
      next.setUTCDate(next.getUTCDate() + 1);
      where.at.lt = dayStart(next.toISOString().slice(0, 10), tz);
    }
  }
  if (filter.patientId) {
    const ids = await patientEntityIds(actor.clinicId, filter.patientId);
    where.AND = [{ entityId: { in: ids } }];
    if (ids.length > 0) await recordAccess(actor, { route, record: "Patient", recordId: filter.patientId, patientIds: [filter.patientId] });
  }
  const page = filter.page ?? 1;
  const [total, events] = await Promise.all([
    db.auditEvent.count({ where }),
    // newest first: rows not yet sealed (seq null, the last second or so) before the chain, by id
    db.auditEvent.findMany({ where, orderBy: [{ seq: { sort: "desc", nulls: "first" } }, { id: "desc" }], skip: (page - 1) * AUDIT_PAGE_SIZE, take: AUDIT_PAGE_SIZE }),
  ]);
  const actorIds = [...new Set(events.map((e) => e.actorId).filter((x): x is string => !!x))];
  const users = actorIds.length ? await db.user.findMany({ where: { id: { in: actorIds } }, select: { id: true, name: true } }) : [];
  return {
    total, page, pageSize: AUDIT_PAGE_SIZE, pages: Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE)),
    events: events.map((e) => ({
      id: e.id.toString(), // "unsealed" for the second or so before the sealer links the row (decision 0018)
      seq: e.seq === null ? "unsealed" : e.seq.toString(), at: e.at.toISOString(), action: e.action,
      entityType: e.entityType, entityId: e.entityId, actorId: e.actorId,
      actorName: e.actorId ? (users.find((u) => u.id === e.actorId)?.name ?? e.actorId) : "system",
      before: e.before, after: e.after,
    })),
  };
}

/** Choices for the viewer's filters: the clinic's staff, patients and recorded actions. */
export async function auditFilterChoices({ actor, route = "internal" }: { actor: Actor; route?: string }) {
  requirePermission(actor, "audit:read");
  const [users, patients, actions, types] = await Promise.all([
    db.user.findMany({ where: { clinicId: actor.clinicId }, orderBy: { name: "asc" }, select: { id: true, name: true } }),
    db.patient.findMany({ where: { clinicId: actor.clinicId }, orderBy: [{ familyName: "asc" }, { givenName: "asc" }], select: { id: true, givenName: true, familyName: true, mrn: true } }),
    db.auditEvent.findMany({ where: { clinicId: actor.clinicId }, distinct: ["action"], select: { action: true }, orderBy: { action: "asc" } }),
    db.auditEvent.findMany({ where: { clinicId: actor.clinicId }, distinct: ["entityType"], select: { entityType: true }, orderBy: { entityType: "asc" } }),
  ]);
  // the patient filter lists every patient's name and MRN: an access to each (decision 0019)
  await recordAccess(actor, { route, record: "PatientList", recordId: actor.clinicId, patientIds: patients.map((p) => p.id) });
  return {
    users,
    patients: patients.map((p) => ({ id: p.id, label: `${p.familyName}, ${p.givenName} (${p.mrn})` })),
    actions: actions.map((a) => a.action),
    entityTypes: types.map((t) => t.entityType),
  };
}
