import "server-only";
import { conflict, notFound } from "@/lib/errors";
import { requirePermission, type Actor } from "../actor";
import { auditAs } from "../audit";
import type { Tx } from "../db";
import { flagDto } from "./dto";

/**
 * A physician acknowledges flags, with a reason (docs/decisions/0004-flags-and-charting.md):
 * all of them or none, each audited; a flag acknowledged meanwhile by someone else is a 409.
 */
export async function acknowledgeFlags(
  tx: Tx,
  { actor, flagIds, reason, now = new Date() }: { actor: Actor; flagIds: string[]; reason: string; now?: Date },
) {
  requirePermission(actor, "flag:acknowledge");
  // in a fixed order, so the audit trail of one acknowledgement reads the same every time
  const flags = await tx.flag.findMany({ where: { id: { in: flagIds }, clinicId: actor.clinicId }, orderBy: { id: "asc" } });
  if (flags.length !== new Set(flagIds).size) throw notFound("Flag");
  const already = flags.filter((f) => f.acknowledgedAt);
  if (already.length) throw conflict(`${already.length === 1 ? "This flag was" : `${already.length} flags were`} already acknowledged.`);
  const { count } = await tx.flag.updateMany({
    where: { id: { in: flagIds }, clinicId: actor.clinicId, acknowledgedAt: null },
    data: { acknowledgedAt: now, acknowledgedById: actor.userId, ackReason: reason },
  });
  if (count !== flags.length) throw conflict("A flag was acknowledged by someone else meanwhile: reload.");
  const audit = auditAs(tx, actor);
  for (const f of flags)
    await audit("flag.acknowledge", "Flag", f.id, { before: { acknowledgedAt: null }, after: { acknowledgedAt: now, acknowledgedById: actor.userId, ackReason: reason } });
  return { flags: flags.map((f) => flagDto({ ...f, acknowledgedAt: now, acknowledgedById: actor.userId, ackReason: reason }, actor.name)) };
}
