/**
 * Verifies the audit hash chain (decision 0003) from the rows themselves, in SQL: per clinic,
 * seq runs 1..n without gaps, each prevHash is the previous row's hash (64 zeros for the
 * first), and each hash equals audit_event_hash() recomputed from the row's content.
 * To be promoted to lib/server once an admin screen needs it.
 */
import type { PrismaClient } from "@/lib/generated/prisma/client";

export type AuditChainBreak = { clinicId: string | null; seq: number; reason: string };
export type AuditChainReport = { checked: number; broken: AuditChainBreak[] };

type Row = { clinicId: string | null; seq: bigint; seqOk: boolean; prevOk: boolean; hashOk: boolean };

export async function verifyAuditChain(db: Pick<PrismaClient, "$queryRaw">, clinicId?: string): Promise<AuditChainReport> {
  const filter = clinicId ?? null;
  const rows = await db.$queryRaw<Row[]>`
    WITH chain AS (
      SELECT "clinicId", "seq", "prevHash", "hash",
             row_number() OVER w AS expected_seq,
             lag("hash") OVER w AS previous_hash,
             audit_event_hash("seq", "prevHash", "clinicId", "actorId", "action", "entityType", "entityId", "at", "before", "after") AS recomputed
        FROM "AuditEvent"
       WHERE ${filter}::text IS NULL OR "clinicId" = ${filter}::text
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
