import "server-only";
import { zoneOffsetMin } from "@/lib/domain/time";
import { badInput } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { ExportFilterInput } from "@/lib/validation/export";
import type { Actor } from "../actor";
import { db } from "../db";

// Which sessions an export holds (docs/decisions/0006-exports.md "What a file holds"): the one
// definition, shared by the count, the page's preview and the batches.

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
export async function exportWhere(actor: Actor, f: ExportFilterInput): Promise<Prisma.InfusionSessionWhereInput> {
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
