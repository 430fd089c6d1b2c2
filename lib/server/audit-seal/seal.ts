import "server-only";
import { Prisma, type PrismaClient } from "@/lib/generated/prisma/client";

/**
 * One seal of the audit chain (docs/decisions/0018-asynchronous-audit-sealing.md): in a
 * REPEATABLE READ transaction, `audit_seal_batch` takes up to `limit` unsealed rows whose
 * transaction is below the snapshot's xmin (every such transaction has committed or aborted,
 * so no row can appear behind them later), in (xid, id) order, and links each clinic's rows
 * after its head. The hash is computed by the database (audit_event_hash, decision 0003).
 */

/** Rows sealed per transaction: bounds the seal's lock time and memory; a full batch is followed at once by the next. */
export const DEFAULT_SEAL_BATCH = 2_000;

/** A clinic's chain head after a seal: what an anchor publishes. clinicId null is the chain of clinic-less events. */
export interface ChainHead {
  clinicId: string | null;
  seq: number;
  hash: string;
  /** ISO-8601 UTC */
  sealedAt: string;
  rowsSealed: number;
}

export interface SealResult {
  sealed: number;
  heads: ChainHead[];
}

type HeadRow = { clinicId: string | null; seq: bigint; hash: string; sealedAt: string; rowsSealed: number };

/** Seals one batch; the caller's client may be the app's pool (or the embedded database's one connection). */
export async function sealAuditBatch(db: Pick<PrismaClient, "$transaction">, limit: number = DEFAULT_SEAL_BATCH): Promise<SealResult> {
  if (!Number.isInteger(limit) || limit < 1) throw new Error("seal batch must be a positive whole number");
  const rows = await db.$transaction(
    (tx) => tx.$queryRaw<HeadRow[]>`
      SELECT head_clinic_id AS "clinicId", head_seq AS "seq", head_hash AS "hash",
             to_char(head_sealed_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "sealedAt", rows_sealed AS "rowsSealed"
        FROM audit_seal_batch(${limit}::integer)`,
    { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead },
  );
  const heads = rows.map((r) => ({ clinicId: r.clinicId, seq: Number(r.seq), hash: r.hash, sealedAt: r.sealedAt, rowsSealed: Number(r.rowsSealed) }));
  return { sealed: heads.reduce((n, h) => n + h.rowsSealed, 0), heads };
}

/**
 * Seals until nothing below the horizon is left (tests, scripts, the benchmark): the rows of
 * transactions still open stay unsealed. Returns every batch's heads in order.
 */
export async function sealAllPending(db: Pick<PrismaClient, "$transaction">, limit: number = DEFAULT_SEAL_BATCH): Promise<SealResult> {
  const all: SealResult = { sealed: 0, heads: [] };
  for (;;) {
    const r = await sealAuditBatch(db, limit);
    all.sealed += r.sealed;
    all.heads.push(...r.heads);
    if (r.sealed < limit) return all;
  }
}

/**
 * Another sealer's transaction sealed first (its seal stands; this one rolled back): a
 * serialization failure on a row both tried to seal, or the unique (clinic, seq) index refusing
 * a second row at a seq already taken.
 */
export function isSealConflict(err: unknown): boolean {
  const e = err as { code?: unknown; meta?: { code?: unknown }; message?: unknown };
  return e?.code === "P2034" || e?.code === "P2002" || e?.code === "40001" || e?.code === "23505"
    || (typeof e?.message === "string" && /could not serialize|sealed by another transaction|40001|23505|AuditEvent_(no_)?clinic_seq_key/.test(e.message));
}

/**
 * Seals every row committed before the call (tests, the crash test, the benchmark): waits
 * until every transaction that had started by then has ended, since a row can only be sealed
 * once nothing below its xid is still running (on the whole server: any database's open
 * transaction holds the horizon). Throws after `timeoutMs` if something stays open that long.
 */
export async function sealCommitted(db: Pick<PrismaClient, "$transaction" | "$queryRaw">, timeoutMs = 15_000): Promise<SealResult> {
  const [target] = await db.$queryRaw<{ xmax: string }[]>`SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS xmax`;
  const all: SealResult = { sealed: 0, heads: [] };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // checked before the seal: the seal's own snapshot is later, so its horizon is at least this one
    const [h] = await db.$queryRaw<{ passed: boolean }[]>`
      SELECT pg_snapshot_xmin(pg_current_snapshot()) >= ${target!.xmax}::xid8 AS passed`;
    const r = await sealAllPending(db);
    all.sealed += r.sealed;
    all.heads.push(...r.heads);
    if (h?.passed) return all;
    if (Date.now() > deadline) throw new Error(`sealCommitted: a transaction older than ${timeoutMs} ms still holds the sealing horizon`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
