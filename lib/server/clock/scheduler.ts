import "server-only";
import pg from "pg";
import { systemClockActor } from "../actor-type";
import { withDeferredAudit } from "../audit";
import { db } from "../db";
import { selectSessionForWrite } from "../sql/session-for-write";
import { reconcileForClock } from "./reconcile";
import { selectSessionsWithVitalsPossiblyDue } from "./due-sessions";

// The server's clock: raises VITALS_OVERDUE when a gap passes its due time, with nobody
// charting (docs/clinical-brief.md "What is monitored"; docs/decisions/0011-clock-driven-flags.md).

/** 15 s: with the leader's tick every 15 s, a flag is stored within ~15 s (+ the tick's own time) of the due time, well inside the 60 s promised. */
export const DEFAULT_CLOCK_TICK_MS = 15_000;

/**
 * The session-level advisory lock that elects the leader: one 64-bit key, the same in every
 * instance. Held by the leader's own connection; PostgreSQL releases it when that connection
 * closes (the process died, the network dropped), and the next instance to try takes it.
 */
const LEADER_LOCK_SQL = "SELECT pg_try_advisory_lock(hashtext('titrate.vitals-clock')::bigint) AS locked";

/** A session whose row stays locked by another write longer than this is tried again next tick. */
const SESSION_LOCK_TIMEOUT = "5s";

export interface TickResult {
  candidates: number;
  reconciled: number;
  raised: number;
  failed: number;
  durationMs: number;
}

export type ClockLog = (line: string) => void;

/** A log line without patient data: the error's class and code, never its message (it may quote values). */
function describeError(err: unknown): string {
  if (err && typeof err === "object") {
    const e = err as { name?: unknown; code?: unknown };
    return `${typeof e.name === "string" ? e.name : "Error"}${typeof e.code === "string" ? ` ${e.code}` : ""}`;
  }
  return "non-error thrown";
}

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

export interface RunningClock {
  isLeader(): boolean;
  stop(): Promise<void>;
}

/**
 * Starts the clock loop in this process. Every tick it tries to be (or stay) the leader; only
 * the leader ticks. Followers retry each tick, so when the leader dies its connection closes,
 * its lock goes, and a follower leads from its next attempt (at most one tick later).
 */
export function startVitalsClock(options: ClockOptions): RunningClock {
  const tickMs = options.tickMs ?? DEFAULT_CLOCK_TICK_MS;
  const log = options.log ?? defaultLog;
  let lockClient: pg.Client | null = null;
  let leader = false;
  let saidFollowing = false;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();

  const dropLock = async () => {
    const client = lockClient;
    lockClient = null;
    if (leader) log("[vitals-clock] leadership lost; trying again next tick");
    leader = false;
    if (client) await client.end().catch(() => undefined);
  };

  const ensureLeader = async (): Promise<boolean> => {
    if (options.embedded) {
      if (!leader) log(`[vitals-clock] embedded database: this process leads alone (pid ${process.pid}), tick ${tickMs} ms`);
      return (leader = true);
    }
    try {
      if (!lockClient) {
        const client = new pg.Client({ connectionString: options.databaseUrl, application_name: "titrate-vitals-clock" });
        // A dropped connection has lost the lock with it: follow from now on.
        client.on("error", () => { if (lockClient === client) void dropLock(); });
        await client.connect();
        lockClient = client;
      }
      if (leader) {
        // Still connected means still holding the lock (it is released only with the session).
        await lockClient.query("SELECT 1");
        return true;
      }
      const { rows } = await lockClient.query<{ locked: boolean }>(LEADER_LOCK_SQL);
      leader = rows[0]?.locked === true;
      if (leader) log(`[vitals-clock] leading (pid ${process.pid}), tick ${tickMs} ms`);
      else if (!saidFollowing) log(`[vitals-clock] following (pid ${process.pid}): another instance leads; trying every ${tickMs} ms`);
      saidFollowing = !leader;
      return leader;
    } catch (err) {
      log(`[vitals-clock] lock connection failed (${describeError(err)}); trying again next tick`);
      await dropLock();
      return false;
    }
  };

  const tick = async () => {
    if (stopped) return;
    try {
      if (await ensureLeader()) {
        const result = await runClockTick(new Date(), log);
        options.onTick?.(result);
      }
    } catch (err) {
      log(`[vitals-clock] tick failed (${describeError(err)}); trying again next tick`);
    }
  };

  // Ticks never overlap: the next is scheduled when this one ends.
  const loop = () => {
    running = tick().finally(() => {
      if (!stopped) timer = setTimeout(loop, tickMs);
    });
  };
  timer = setTimeout(loop, 0);

  return {
    isLeader: () => leader,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      await dropLock();
    },
  };
}
