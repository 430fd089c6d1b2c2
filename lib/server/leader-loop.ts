import "server-only";
import pg from "pg";

// One periodic job per database, whatever the number of app instances: the vitals clock
// (docs/decisions/0011-clock-driven-flags.md) and the audit sealer
// (docs/decisions/0018-asynchronous-audit-sealing.md) both run on this loop.
//
// Election: a session-level advisory lock, one 64-bit key per job, the same in every
// instance, held by the leader's own connection. PostgreSQL releases it only when that
// connection closes (the process died, the network dropped), so "still connected" means
// "still the leader"; followers try every tick, and one of them leads at most a tick later.

export type LeaderLog = (line: string) => void;

/** A log line without data: the error's class and code, never its message (it may quote values). */
export function describeError(err: unknown): string {
  if (err && typeof err === "object") {
    const e = err as { name?: unknown; code?: unknown };
    return `${typeof e.name === "string" ? e.name : "Error"}${typeof e.code === "string" ? ` ${e.code}` : ""}`;
  }
  return "non-error thrown";
}

export interface LeaderLoopOptions {
  /** the job's name: its log prefix, its lock key (`titrate.<name>`) and its connection's application_name */
  name: string;
  /** how the log says this instance leads, e.g. "leading" or "sealing" */
  leadingVerb: string;
  databaseUrl: string;
  tickMs: number;
  /**
   * The embedded PGlite demo database: one database session behind its socket, one app
   * process. No dedicated lock connection there (it would hold the only session the app's
   * pool of one needs, and advisory locks of one shared session elect nobody): the single
   * process leads alone.
   */
  embedded?: boolean;
  log: LeaderLog;
  /** the leader's work of one tick (a long one may ask whether the loop was stopped); an error is logged and the next tick tries again */
  work: (isStopped: () => boolean) => Promise<void>;
}

export interface LeaderLoop {
  isLeader(): boolean;
  stop(): Promise<void>;
}

/** Starts the loop in this process. Ticks never overlap: the next is scheduled when one ends. */
export function startLeaderLoop(options: LeaderLoopOptions): LeaderLoop {
  const { name, tickMs, log } = options;
  const prefix = `[${name}]`;
  const lockSql = `SELECT pg_try_advisory_lock(hashtext('titrate.${name}')::bigint) AS locked`;
  let lockClient: pg.Client | null = null;
  let leader = false;
  let saidFollowing = false;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();

  const dropLock = async () => {
    const client = lockClient;
    lockClient = null;
    if (leader) log(`${prefix} leadership lost; trying again next tick`);
    leader = false;
    if (client) await client.end().catch(() => undefined);
  };

  const ensureLeader = async (): Promise<boolean> => {
    if (options.embedded) {
      if (!leader) log(`${prefix} embedded database: this process leads alone (pid ${process.pid}), tick ${tickMs} ms`);
      return (leader = true);
    }
    try {
      if (!lockClient) {
        const client = new pg.Client({ connectionString: options.databaseUrl, application_name: `titrate-${name}` });
        // A dropped connection has lost the lock with it: follow from now on.
        client.on("error", () => { if (lockClient === client) void dropLock(); });
        await client.connect();
        lockClient = client;
      }
      if (leader) {
        await lockClient.query("SELECT 1"); // still connected = still holding the lock
        return true;
      }
      const { rows } = await lockClient.query<{ locked: boolean }>(lockSql);
      leader = rows[0]?.locked === true;
      if (leader) log(`${prefix} ${options.leadingVerb} (pid ${process.pid}), tick ${tickMs} ms`);
      else if (!saidFollowing) log(`${prefix} following (pid ${process.pid}): another instance leads; trying every ${tickMs} ms`);
      saidFollowing = !leader;
      return leader;
    } catch (err) {
      log(`${prefix} lock connection failed (${describeError(err)}); trying again next tick`);
      await dropLock();
      return false;
    }
  };

  const tick = async () => {
    if (stopped) return;
    try {
      if (await ensureLeader()) await options.work(() => stopped);
    } catch (err) {
      log(`${prefix} tick failed (${describeError(err)}); trying again next tick`);
    }
  };

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
