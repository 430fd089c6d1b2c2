import "server-only";
import { AppError, conflict, notFound } from "@/lib/errors";
import type { ProtocolLimits, ProtocolRoute } from "@/lib/domain/protocol";
import {
  limitsFromInput, protocolLimitErrors, type CreateProtocolInput, type NewProtocolVersionInput,
} from "@/lib/validation/protocol";
import { requirePermission, type Actor } from "./actor";
import { auditAs } from "./audit";
import { clinicVitalsDefaults } from "./clinic-settings";
import { db, type Tx } from "./db";
import { isUniqueViolation } from "./http";
import { limitsOf, protocolVersionDto } from "./protocols";

/**
 * Converts and validates limits on the server (the form's check is not trusted), by the
 * protocol's route: the anaesthetic edge holds an IV protocol only.
 */
async function checkedLimits(tx: Tx, actor: Actor, input: NewProtocolVersionInput, route: ProtocolRoute): Promise<ProtocolLimits> {
  const limits = limitsFromInput(input, await clinicVitalsDefaults({ actor, tx }));
  const fields = protocolLimitErrors(limits, route);
  const first = Object.entries(fields)[0];
  if (first) throw new AppError("BAD_INPUT", { userMessage: `The limits are not consistent: ${first[0]} ${first[1]}.`, fields });
  return limits;
}

const versionText = (input: NewProtocolVersionInput) => ({
  sourceDocument: input.sourceDocument,
  sourceWording: input.sourceWording,
  limitRationale: input.limitRationale ?? "",
});

export async function createProtocol(tx: Tx, { actor, input }: { actor: Actor; input: CreateProtocolInput }) {
  requirePermission(actor, "protocol:manage");
  const limits = await checkedLimits(tx, actor, input, input.route);
  try {
    const p = await tx.protocol.create({
      data: {
        clinicId: actor.clinicId, name: input.name, indication: input.indication, route: input.route,
        versions: { create: { version: 1, ...limits, ...versionText(input), createdById: actor.userId } },
      },
      include: { versions: true },
    });
    const v = p.versions[0]!;
    await auditAs(tx, actor)("protocol.create", "Protocol", p.id, { after: { name: p.name, indication: p.indication, route: p.route, version: protocolVersionDto(v) } });
    return { id: p.id, name: p.name, indication: p.indication, route: p.route, retired: false, version: protocolVersionDto(v) };
  } catch (err) {
    if (isUniqueViolation(err))
      throw new AppError("CONFLICT", { userMessage: `A protocol named "${input.name}" already exists in this clinic.`, fields: { name: "already in use" } });
    throw err;
  }
}

async function loadProtocol(tx: Tx | typeof db, actor: Actor, protocolId: string) {
  const p = await tx.protocol.findFirst({ where: { id: protocolId, clinicId: actor.clinicId } });
  if (!p) throw notFound("Protocol");
  return p;
}

/**
 * A change to a protocol is always a new version: earlier versions, and the series ordered on
 * them, keep their limits (a database trigger refuses to change a version a series uses).
 */
export async function addProtocolVersion(tx: Tx, { actor, protocolId, input }: { actor: Actor; protocolId: string; input: NewProtocolVersionInput }) {
  requirePermission(actor, "protocol:manage");
  const p = await loadProtocol(tx, actor, protocolId);
  if (p.retiredAt) throw conflict("This protocol is retired; create a new protocol instead.");
  const limits = await checkedLimits(tx, actor, input, p.route);
  // Lock the protocol row so two administrators saving at once get versions n+1 and n+2.
  await tx.$queryRaw`SELECT "id" FROM "Protocol" WHERE "id" = ${p.id} FOR UPDATE`;
  const latest = await tx.protocolVersion.findFirst({ where: { protocolId: p.id }, orderBy: { version: "desc" } });
  const v = await tx.protocolVersion.create({
    data: { protocolId: p.id, version: (latest?.version ?? 0) + 1, ...limits, ...versionText(input), createdById: actor.userId },
  });
  await auditAs(tx, actor)("protocol.version.create", "ProtocolVersion", v.id, {
    before: latest ? { version: latest.version, limits: limitsOf(latest) } : undefined,
    after: { protocolId: p.id, ...protocolVersionDto(v) },
  });
  return { protocolId: p.id, version: protocolVersionDto(v) };
}

/** No new series can be ordered on a retired protocol (series.ts); existing series continue. */
export async function retireProtocol(tx: Tx, { actor, protocolId, now = new Date() }: { actor: Actor; protocolId: string; now?: Date }) {
  requirePermission(actor, "protocol:manage");
  const p = await loadProtocol(tx, actor, protocolId);
  if (p.retiredAt) return { id: p.id, retiredAt: p.retiredAt.toISOString() };
  const after = await tx.protocol.update({ where: { id: p.id }, data: { retiredAt: now } });
  await auditAs(tx, actor)("protocol.retire", "Protocol", p.id, { before: { retiredAt: null }, after: { retiredAt: after.retiredAt } });
  return { id: p.id, retiredAt: after.retiredAt!.toISOString() };
}

/** For the route handler: the permission first, then the retirement and its audit row in one transaction. */
export async function retireClinicProtocol(opts: { actor: Actor; protocolId: string }) {
  requirePermission(opts.actor, "protocol:manage");
  return db.$transaction((tx) => retireProtocol(tx, opts));
}

/** One protocol with every version (newest first) and how many series each was ordered on. */
export async function getProtocol({ actor, protocolId }: { actor: Actor; protocolId: string }) {
  requirePermission(actor, "protocol:read");
  const p = await db.protocol.findFirst({
    where: { id: protocolId, clinicId: actor.clinicId },
    include: { versions: { orderBy: { version: "desc" }, include: { _count: { select: { series: true } } } } },
  });
  if (!p) throw notFound("Protocol");
  const creatorIds = [...new Set(p.versions.map((v) => v.createdById).filter((x): x is string => !!x))];
  const creators = creatorIds.length
    ? await db.user.findMany({ where: { id: { in: creatorIds }, clinicId: actor.clinicId }, select: { id: true, name: true } })
    : [];
  return {
    id: p.id, name: p.name, indication: p.indication, route: p.route,
    retiredAt: p.retiredAt?.toISOString() ?? null,
    versions: p.versions.map((v) => ({
      ...protocolVersionDto(v),
      seriesCount: v._count.series,
      createdBy: creators.find((c) => c.id === v.createdById)?.name ?? null,
    })),
  };
}
