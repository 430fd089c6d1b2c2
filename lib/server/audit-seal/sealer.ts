import "server-only";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { describeError, startLeaderLoop, type LeaderLog, type LeaderLoop } from "../leader-loop";
import type { AnchorWriter } from "./anchors";
import { DEFAULT_SEAL_BATCH, isSealConflict, sealAuditBatch, type SealResult } from "./seal";

// The audit sealer (docs/decisions/0018-asynchronous-audit-sealing.md): one leader per
// database links unsealed audit rows into the per-clinic chains at least every second and
// publishes the new heads to the anchor log.

/** 1 s: the promise is "sealed within a couple of seconds"; an idle tick is one indexed query on an empty partial index. */
export const DEFAULT_SEAL_TICK_MS = 1_000;

export type SealerLog = LeaderLog;

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

export type RunningSealer = LeaderLoop;

export function startAuditSealer(options: SealerOptions): RunningSealer {
  const tickMs = options.tickMs ?? DEFAULT_SEAL_TICK_MS;
  const batch = options.batch ?? DEFAULT_SEAL_BATCH;
  const log = options.log ?? ((line: string) => console.error(line));

  const sealWhatWaits = async (isStopped: () => boolean) => {
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
      if (result.sealed < batch || isStopped()) return;
    }
  };

  return startLeaderLoop({
    name: "audit-sealer", leadingVerb: "sealing", databaseUrl: options.databaseUrl, tickMs, embedded: options.embedded, log, work: sealWhatWaits,
  });
}
