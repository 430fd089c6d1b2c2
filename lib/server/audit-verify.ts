/**
 * Verifies the audit log (decisions 0003 and 0018) from the rows themselves, in SQL:
 * - the sealed chain: per clinic, seq runs 1..n without gaps, each prevHash is the previous
 *   row's hash (64 zeros for the first), each hash equals audit_event_hash() recomputed from
 *   the row's content. Rows chained by the old insert trigger and rows sealed by the sealer
 *   use the same hash definition, so one check covers both;
 * - the sealer keeps up: no row stays unsealed longer than a lag (default 60 s);
 * - with anchors (signed heads published outside the database): every anchored (clinic, seq,
 *   hash) is still in the chain, which a consistently rewritten chain or a truncated tail fails.
 * Used by scripts/verify-audit.ts (`npm run audit:verify`) and the tests.
 */
import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { AnchorLine } from "./audit-seal/anchors";

export type AuditChainBreak = { clinicId: string | null; seq: number; reason: string };
export type AuditChainReport = { checked: number; broken: AuditChainBreak[] };

type Row = { clinicId: string | null; seq: bigint; seqOk: boolean; prevOk: boolean; hashOk: boolean };

/** 60 s: the sealer runs every second; a row unsealed for a minute means it is stopped or held back. */
export const DEFAULT_MAX_UNSEALED_LAG_MS = 60_000;

export async function verifyAuditChain(db: Pick<PrismaClient, "$queryRaw">, clinicId?: string): Promise<AuditChainReport> {
  const filter = clinicId ?? null;
  const rows = await db.$queryRaw<Row[]>`
    WITH chain AS (
      SELECT "clinicId", "seq", "prevHash", "hash",
             row_number() OVER w AS expected_seq,
             lag("hash") OVER w AS previous_hash,
             audit_event_hash("seq", "prevHash", "clinicId", "actorId", "action", "entityType", "entityId", "at", "before", "after") AS recomputed
        FROM "AuditEvent"
       WHERE "seq" IS NOT NULL AND (${filter}::text IS NULL OR "clinicId" = ${filter}::text)
      WINDOW w AS (PARTITION BY "clinicId" ORDER BY "seq")
    )
    SELECT "clinicId", "seq",
           ("seq" = expected_seq) AS "seqOk",
           ("prevHash" = coalesce(previous_hash, repeat('0', 64))) AS "prevOk",
           ("hash" = recomputed) AS "hashOk"
      FROM chain
     ORDER BY "clinicId", "seq"`;
  const broken: AuditChainBreak[] = [];
  for (const r of rows) {
    const seq = Number(r.seq);
    if (!r.seqOk) broken.push({ clinicId: r.clinicId, seq, reason: "seq out of order (gap or duplicate)" });
    if (!r.prevOk) broken.push({ clinicId: r.clinicId, seq, reason: "prevHash does not match the previous row's hash" });
    if (!r.hashOk) broken.push({ clinicId: r.clinicId, seq, reason: "hash does not match the row's content" });
  }
  return { checked: rows.length, broken };
}

export interface UnsealedReport {
  /** committed rows not yet sealed */
  unsealed: number;
  /** of those, rows written more than the lag ago */
  stale: number;
  /** ISO time of the oldest stale row, if any */
  oldestStaleAt: string | null;
  /** the oldest transaction open on the server, which holds the sealer's horizon back (null if none) */
  oldestOpenTransaction: { startedAt: string; application: string | null; database: string | null } | null;
}

/**
 * Unsealed rows older than `lagMs` (by their `at`, the UTC time the write recorded them). A
 * few unsealed rows are normal (the last second's); old ones mean the sealer is stopped, or a
 * long-open transaction holds its horizon back: the report names the oldest one open.
 */
export async function findStaleUnsealed(db: Pick<PrismaClient, "$queryRaw">, lagMs: number = DEFAULT_MAX_UNSEALED_LAG_MS): Promise<UnsealedReport> {
  const [counts] = await db.$queryRaw<{ unsealed: bigint; stale: bigint; oldest: string | null }[]>`
    SELECT count(*) AS unsealed,
           count(*) FILTER (WHERE "at" < (now() AT TIME ZONE 'UTC') - make_interval(secs => ${lagMs / 1000}::double precision)) AS stale,
           to_char(min("at") FILTER (WHERE "at" < (now() AT TIME ZONE 'UTC') - make_interval(secs => ${lagMs / 1000}::double precision)), 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS oldest
      FROM "AuditEvent" WHERE "seq" IS NULL`;
  const [open] = await db.$queryRaw<{ startedAt: string; application: string | null; database: string | null }[]>`
    SELECT to_char(xact_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "startedAt", application_name AS application, datname AS database
      FROM pg_stat_activity
     WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid()
     ORDER BY xact_start LIMIT 1`;
  return {
    unsealed: Number(counts?.unsealed ?? 0), stale: Number(counts?.stale ?? 0), oldestStaleAt: counts?.oldest ?? null,
    oldestOpenTransaction: open ?? null,
  };
}

export interface AnchorCheck {
  checked: number;
  problems: string[];
}

/**
 * Every anchored (clinic, seq, hash) must be a sealed row of the chain with that hash. A row
 * rewritten at or before an anchored seq changes the anchored hash (each hash covers the one
 * before), and a tail dropped below an anchored seq leaves that seq missing.
 */
export async function verifyAnchorsAgainstChain(db: Pick<PrismaClient, "$queryRaw">, anchors: Pick<AnchorLine, "clinicId" | "seq" | "hash">[]): Promise<AnchorCheck> {
  if (anchors.length === 0) return { checked: 0, problems: [] };
  const clinics = anchors.map((a) => a.clinicId);
  const seqs = anchors.map((a) => BigInt(a.seq));
  const hashes = anchors.map((a) => a.hash);
  const rows = await db.$queryRaw<{ clinicId: string | null; seq: bigint; anchored: string; found: string | null; head: bigint | null }[]>`
    WITH a AS (SELECT * FROM unnest(${clinics}::text[], ${seqs}::bigint[], ${hashes}::text[]) AS t(clinic, seq, hash)),
         heads AS (SELECT "clinicId", max("seq") AS head FROM "AuditEvent" WHERE "seq" IS NOT NULL GROUP BY "clinicId")
    SELECT a.clinic AS "clinicId", a.seq, a.hash AS anchored, e."hash" AS found, h.head
      FROM a
      LEFT JOIN "AuditEvent" e ON e."clinicId" IS NOT DISTINCT FROM a.clinic AND e."seq" = a.seq
      LEFT JOIN heads h ON h."clinicId" IS NOT DISTINCT FROM a.clinic
     WHERE e."hash" IS DISTINCT FROM a.hash
     ORDER BY a.clinic, a.seq`;
  const problems = rows.map((r) => {
    const who = `clinic ${r.clinicId ?? "(none)"} seq ${r.seq}`;
    if (r.found === null)
      return `${who}: anchored but not in the chain (head is seq ${r.head ?? 0}): rows were removed from the tail`;
    return `${who}: the chain's hash ${r.found.slice(0, 12)}… differs from the anchored ${r.anchored.slice(0, 12)}…: the chain was rewritten`;
  });
  return { checked: anchors.length, problems };
}
