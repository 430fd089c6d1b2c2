import "server-only";
import pg from "pg";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { AnchorWriter } from "./anchors";
import { DEFAULT_SEAL_BATCH, isSealConflict, sealAuditBatch, type SealResult } from "./seal";

// The audit sealer (docs/decisions/0018-asynchronous-audit-sealing.md): one leader per
// database links unsealed audit rows into the per-clinic chains at least every second and
// publishes the new heads to the anchor log.

/** 1 s: the promise is "sealed within a couple of seconds"; an idle tick is one indexed query on an empty partial index. */
export const DEFAULT_SEAL_TICK_MS = 1_000;

/**
 * The session-level advisory lock that elects the sealer: one 64-bit key, the same in every
 * instance, held by the leader's dedicated connection. PostgreSQL releases it when that
 * connection closes (the process died), and the next instance to try takes it.
 */
const LEADER_LOCK_SQL = "SELECT pg_try_advisory_lock(hashtext('titrate.audit-sealer')::bigint) AS locked";

export type SealerLog = (line: string) => void;

/** A log line without data: the error's class and code, never its message. */
function describeError(err: unknown): string {
  if (err && typeof err === "object") {
    const e = err as { name?: unknown; code?: unknown };
    return `${typeof e.name === "string" ? e.name : "Error"}${typeof e.code === "string" ? ` ${e.code}` : ""}`;
  }
  return "non-error thrown";
}

export interface SealerOptions {
  /** the client whose transactions seal: the app's pool (or the embedded database's one connection) */
  db: Pick<PrismaClient, "$transaction">;
  databaseUrl: string;
  tickMs?: number;
  batch?: number;
  /** the embedded PGlite demo: one database session, one process, which leads alone (as the vitals clock does there) */
  embedded?: boolean;
  anchors?: AnchorWriter | null;
  log?: SealerLog;
  /** called after every seal this instance ran as leader (tests, benchmarks) */
  onSeal?: (result: SealResult) => void;
}

export interface RunningSealer {
  isLeader(): boolean;
  stop(): Promise<void>;
}

export function startAuditSealer(options: SealerOptions): RunningSealer {
  const tickMs = options.tickMs ?? DEFAULT_SEAL_TICK_MS;
  const batch = options.batch ?? DEFAULT_SEAL_BATCH;
  const log = options.log ?? ((line: string) => console.error(line));
  let lockClient: pg.Client | null = null;
  let leader = false;
  let saidFollowing = false;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();

  const dropLock = async () => {
    const client = lockClient;
    lockClient = null;
    if (leader) log("[audit-sealer] leadership lost; trying again next tick");
    leader = false;
    if (client) await client.end().catch(() => undefined);
  };

  const ensureLeader = async (): Promise<boolean> => {
    if (options.embedded) {
      if (!leader) log(`[audit-sealer] embedded database: this process seals alone (pid ${process.pid}), tick ${tickMs} ms`);
      return (leader = true);
    }
    try {
      if (!lockClient) {
        const client = new pg.Client({ connectionString: options.databaseUrl, application_name: "titrate-audit-sealer" });
        client.on("error", () => { if (lockClient === client) void dropLock(); });
        await client.connect();
        lockClient = client;
      }
      if (leader) {
        await lockClient.query("SELECT 1"); // still connected = still holding the lock
        return true;
      }
      const { rows } = await lockClient.query<{ locked: boolean }>(LEADER_LOCK_SQL);
      leader = rows[0]?.locked === true;
      if (leader) log(`[audit-sealer] sealing (pid ${process.pid}), tick ${tickMs} ms`);
      else if (!saidFollowing) log(`[audit-sealer] following (pid ${process.pid}): another instance seals; trying every ${tickMs} ms`);
      saidFollowing = !leader;
      return leader;
    } catch (err) {
      log(`[audit-sealer] lock connection failed (${describeError(err)}); trying again next tick`);
      await dropLock();
      return false;
    }
  };

  const tick = async () => {
    if (stopped || !(await ensureLeader())) return;
    // A full batch means more is waiting: seal again at once, until a batch comes back short.
    for (;;) {
      let result: SealResult;
      try {
        result = await sealAuditBatch(options.db, batch);
      } catch (err) {
        // A conflict means another sealer's transaction sealed these rows (it stands; ours
        // rolled back): nothing is lost, the next tick goes on from the new heads.
        log(`[audit-sealer] seal ${isSealConflict(err) ? "conflicted with another sealer" : "failed"} (${describeError(err)}); trying again next tick`);
        return;
      }
      if (options.anchors && result.heads.length > 0) {
        try {
          await options.anchors.append(result.heads);
        } catch (err) {
          // The seal is committed; the next seal's anchor covers these rows too (it names a later head).
          log(`[audit-sealer] anchor write to ${options.anchors.file} FAILED (${describeError(err)}); the chain is sealed, its heads are not anchored until a later seal succeeds`);
        }
      }
      options.onSeal?.(result);
      if (result.sealed < batch || stopped) return;
    }
  };

  // Ticks never overlap: the next is scheduled when this one ends.
  const loop = () => {
    running = tick()
      .catch((err) => log(`[audit-sealer] tick failed (${describeError(err)}); trying again next tick`))
      .finally(() => { if (!stopped) timer = setTimeout(loop, tickMs); });
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
