import "server-only";
import { SESSION_ACTION_PERMISSION } from "@/lib/domain/charting";
import { checkOpenedAt } from "@/lib/domain/guards";
import { badInput, conflict } from "@/lib/errors";
import type { MoveOpenedAtInput } from "@/lib/validation/session";
import { requirePermission, type Actor } from "../actor";
import { auditAs } from "../audit";
import type { Tx } from "../db";
import { assertAllowed, loadSessionForWrite } from "./write-context";

/**
 * Late documentation (decision 0009): a nurse who started the pump before opening the chart
 * moves the session's opening time EARLIER, with a reason, so the true START can be charted
 * and the dose and duration are not under-recorded. Only while the session is in progress,
 * never later than its first entry (which would fall outside the session), at most 7 days
 * back [default]. InfusionSession.enteredAt keeps when the chart was really opened.
 */
export async function moveOpenedAt(
  tx: Tx,
  { actor, sessionId, input, now = new Date() }: { actor: Actor; sessionId: string; input: MoveOpenedAtInput; now?: Date },
) {
  requirePermission(actor, SESSION_ACTION_PERMISSION["move-opened-at"]);
  const s = await loadSessionForWrite(tx, actor, sessionId, "update");
  assertAllowed(s, "move-opened-at");
  const openedAt = new Date(input.openedAt);
  const [dose, vitals, pain, sideEffect] = await Promise.all([
    tx.doseEvent.findFirst({ where: { sessionId }, orderBy: { at: "asc" }, select: { at: true } }),
    tx.vitalSigns.findFirst({ where: { sessionId }, orderBy: { at: "asc" }, select: { at: true } }),
    tx.painScore.findFirst({ where: { sessionId, phase: { not: "FOLLOW_UP" } }, orderBy: { at: "asc" }, select: { at: true } }),
    tx.sideEffect.findFirst({ where: { sessionId }, orderBy: { at: "asc" }, select: { at: true } }),
  ]);
  const firstEntryAtMs = [dose, vitals, pain, sideEffect].flatMap((r) => (r ? [r.at.getTime()] : [])).reduce<number | null>((a, b) => (a === null ? b : Math.min(a, b)), null);
  const error = checkOpenedAt({
    openedAtMs: openedAt.getTime(), nowMs: now.getTime(), lateEntryReason: input.lateEntryReason,
    currentOpenedAtMs: s.openedAt.getTime(), firstEntryAtMs,
  });
  if (error) throw badInput(error.field === "openedAt" ? `Opening time ${error.message}.` : "Give a reason for documenting late.", { [error.field]: error.message });
  const { count } = await tx.infusionSession.updateMany({
    where: { id: s.id, rowVersion: s.rowVersion },
    data: { openedAt, lateEntryReason: input.lateEntryReason.trim(), rowVersion: { increment: 1 } },
  });
  if (count !== 1) throw conflict("This session changed since you opened it: reload and try again.");
  await auditAs(tx, actor)("session.opened-at.move", "InfusionSession", s.id, {
    before: { openedAt: s.openedAt },
    after: { openedAt, lateEntryReason: input.lateEntryReason.trim() },
  });
  return { session: { id: s.id, openedAt: openedAt.toISOString(), lateEntryReason: input.lateEntryReason.trim(), rowVersion: s.rowVersion + 1 } };
}
