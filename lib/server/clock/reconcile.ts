import "server-only";
import type { SystemActor } from "../actor-type";
import type { Tx } from "../db";
import { reconcileSessionFlags } from "../sessions/flag-reconcile";

/**
 * The clock's call into the one reconciliation every write uses (lib/server/sessions/
 * flag-reconcile.ts): the whole timeline evaluated at `now`, stored flags reconciled by key.
 * The caller holds the session row lock. Returns how many flags were raised.
 */
export async function reconcileForClock(tx: Tx, input: { actor: SystemActor; sessionId: string; now: Date }): Promise<number> {
  const { raised } = await reconcileSessionFlags(tx, { actor: input.actor, sessionId: input.sessionId, now: input.now });
  return raised.length;
}
