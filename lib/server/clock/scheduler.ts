import "server-only";
import { systemClockActor } from "../actor-type";
import { withDeferredAudit } from "../audit";
import { describeError, startLeaderLoop, type LeaderLog, type LeaderLoop } from "../leader-loop";
import { db } from "../db";
import { selectSessionForWrite } from "../sql/session-for-write";
import { reconcileForClock } from "./reconcile";
import { selectSessionsWithVitalsPossiblyDue } from "./due-sessions";

// The server's clock: raises VITALS_OVERDUE when a gap passes its due time, with nobody
// charting (docs/clinical-brief.md "What is monitored"; docs/decisions/0011-clock-driven-flags.md).

/** 15 s: with the leader's tick every 15 s, a flag is stored within ~15 s (+ the tick's own time) of the due time, well inside the 60 s promised. */
export const DEFAULT_CLOCK_TICK_MS = 15_000;

/** A session whose row stays locked by another write longer than this is tried again next tick. */
const SESSION_LOCK_TIMEOUT = "5s";

export interface TickResult {
  candidates: number;
  reconciled: number;
  raised: number;
  failed: number;
  durationMs: number;
}

export type ClockLog = LeaderLog;

/**
 * One tick: every running session of every clinic whose vitals may be overdue at `now` is
 * re-evaluated and its flags reconciled, each in its own transaction under the session row's
 * exclusive lock. Exclusive, not the charting path's share lock: a set being charted right now
 * commits before the clock reads the timeline (so a set taken in time is never reported
 * missing), and a set charted just after waits for the clock's flag and then reconciles it.
 * An error in one session is logged and the loop goes on.
 */
export async function runClockTick(now: Date, log: ClockLog = defaultLog): Promise<TickResult> {
  const started = performance.now();
  const candidates = await selectSessionsWithVitalsPossiblyDue(db, now.getTime());
  let reconciled = 0;
  let raised = 0;
  let failed = 0;
  for (const c of candidates) {
    try {
      raised += await db.$transaction(async (tx) => {
        await tx.$executeRawUnsafe(`SET LOCAL lock_timeout = '${SESSION_LOCK_TIMEOUT}'`);
        const row = (await selectSessionForWrite(tx, c.clinicId, c.id, "update"))[0];
        if (!row || row.status !== "IN_PROGRESS") return 0; // completed between the query and the lock
        return withDeferredAudit(tx, () => reconcileForClock(tx, { actor: systemClockActor(c.clinicId), sessionId: c.id, now }));
      });
      reconciled += 1;
    } catch (err) {
      failed += 1;
      log(`[vitals-clock] session ${c.id}: reconciliation failed (${describeError(err)}); retried next tick`);
    }
  }
  return { candidates: candidates.length, reconciled, raised, failed, durationMs: performance.now() - started };
}

function defaultLog(line: string) {
  console.error(line);
}

export interface ClockOptions {
  databaseUrl: string;
  tickMs?: number;
  /**
   * The embedded PGlite demo database: one database session behind its socket, one app
   * process. No dedicated lock connection there (it would hold the only session the app's
   * pool of one needs, and advisory locks of one shared session elect nobody): the single
   * process is the leader.
   */
  embedded?: boolean;
  log?: ClockLog;
  /** called after every tick this instance ran as leader (tests, benchmarks) */
  onTick?: (result: TickResult) => void;
}

export type RunningClock = LeaderLoop;

/**
 * Starts the clock loop in this process (lib/server/leader-loop.ts): only the leader ticks;
 * when it dies its lock goes with its connection, and a follower leads at most a tick later.
 */
export function startVitalsClock(options: ClockOptions): RunningClock {
  const log = options.log ?? defaultLog;
  return startLeaderLoop({
    name: "vitals-clock", leadingVerb: "leading", databaseUrl: options.databaseUrl, tickMs: options.tickMs ?? DEFAULT_CLOCK_TICK_MS,
    embedded: options.embedded, log,
    // not `options.onTick?.(await runClockTick(...))`: an optional call skips evaluating its
    // arguments when there is no callback, which is the server's case, and the tick never ran
    work: async () => {
      const result = await runClockTick(new Date(), log);
      options.onTick?.(result);
    },
  });
}
