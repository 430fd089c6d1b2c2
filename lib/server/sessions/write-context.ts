import "server-only";
import { checkChartTime, SESSION_ACTION_PERMISSION, sessionAllows, type Correctable, type SessionAction } from "@/lib/domain/charting";
import { badInput, conflict, notFound } from "@/lib/errors";
import { requirePermission, type Actor } from "../actor";
import type { Tx } from "../db";
import { limitsOf } from "../protocols";
import { selectSessionForWrite } from "../sql/session-for-write";

// What every write to a session shares: loading it under a lock, asking the domain's rules
// (lib/domain/charting.ts) and turning their refusals into the API's errors. Flags are reconciled by flag-reconcile.ts.

export type SessionForWrite = Awaited<ReturnType<typeof loadSessionForWrite>>;

/**
 * Loads a session of the actor's clinic for a write, holding a share lock on its row until
 * the transaction ends: concurrent charting proceeds, but completing or signing (which update
 * the row, and take it with `lock: "update"`) waits, so nothing is charted onto a session as
 * it is signed.
 */
export async function loadSessionForWrite(tx: Tx, actor: Actor, sessionId: string, lock: "share" | "update" = "share") {
  const row = (await selectSessionForWrite(tx, actor.clinicId, sessionId, lock))[0];
  if (!row) throw notFound("Session");
  const { pv, ...session } = row;
  return { ...session, limits: limitsOf(pv) };
}

/** The state machine's refusal as a 409, in its words. */
export function assertAllowed(s: { status: SessionForWrite["status"] }, action: SessionAction): void {
  const decision = sessionAllows(s.status, action);
  if (!decision.allowed) throw conflict(decision.reason);
}

/**
 * Opens a session for `action`, in the order every write asks: the actor's permission for it
 * (403), the session of the clinic under its share lock (404), the state machine's yes (409).
 */
export async function openSessionWrite(tx: Tx, actor: Actor, sessionId: string, action: SessionAction): Promise<SessionForWrite> {
  requirePermission(actor, SESSION_ACTION_PERMISSION[action]);
  const s = await loadSessionForWrite(tx, actor, sessionId);
  assertAllowed(s, action);
  return s;
}

/**
 * Opens a session for charting an entry at its clinical time: openSessionWrite, then the time
 * the entry is charted at (400 when the domain refuses it). A follow-up score may be charted
 * after the session ended; a correction keeps the time rules of the entry it corrects.
 */
export async function openChartingWrite(
  tx: Tx,
  { actor, sessionId, action, input, now }: {
    actor: Actor; sessionId: string; action: SessionAction; now: Date;
    input: { at: string; backTimeReason?: string; correctsId?: string };
  },
): Promise<{ s: SessionForWrite; at: Date }> {
  const s = await openSessionWrite(tx, actor, sessionId, action);
  const at = resolveChartTime(s, input.at, input.backTimeReason, now, { followUp: action === "chart-follow-up", correction: !!input.correctsId });
  return { s, at };
}

/** The charted time, or a 400 naming the field when the domain refuses it. */
export function resolveChartTime(
  s: SessionForWrite,
  atIso: string,
  backTimeReason: string | undefined,
  now: Date,
  opts: { followUp?: boolean; correction?: boolean } = {},
): Date {
  const at = new Date(atIso);
  const error = checkChartTime({
    atMs: at.getTime(), nowMs: now.getTime(), openedAtMs: s.openedAt.getTime(), completedAtMs: s.completedAt?.getTime() ?? null,
    isInProgress: s.status === "IN_PROGRESS", backTimeReason, isFollowUp: opts.followUp, isCorrection: opts.correction,
  });
  if (error) throw badInput(error.message, { [error.field]: error.fieldMessage });
  return at;
}

/** A correction must target a row of this session that nobody has corrected or retracted yet. */
export function assertCorrectable(rows: Correctable[], correctsId: string | undefined): void {
  if (!correctsId) return;
  const target = rows.find((r) => r.id === correctsId);
  if (!target) throw badInput("The entry to correct is not part of this session.", { correctsId: "not found in this session" });
  if (target.isRetraction || rows.some((r) => r.correctsId === correctsId))
    throw conflict("That entry was already corrected: correct the newest version instead.");
}
