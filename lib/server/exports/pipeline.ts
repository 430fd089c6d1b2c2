import "server-only";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { Actor } from "../actor";
import { db } from "../db";
import { parseExportBatch, readExportBatchText } from "../sql/export-batch";
import { exportContext, loadProtocolVersions, toExportedSession, type ExportedSession } from "./projection";

/** Sessions fetched per round trip: memory holds one batch, whatever the export's size. */
export const EXPORT_BATCH_SIZE = 200;

/**
 * Session ids read per round trip, a few batches' worth: a keyset page through Prisma costs
 * milliseconds of CPU whatever its size, and ids are small (1,000 are ~30 KB).
 */
const ID_PAGE_SIZE = 1000;

/** The ids of the sessions of `where` ordered by (openedAt, id), in chunks of `batchSize` (keyset pagination). */
async function* sessionIdBatches(where: Prisma.InfusionSessionWhereInput, batchSize: number): AsyncGenerator<string[]> {
  const pageSize = Math.max(batchSize, ID_PAGE_SIZE);
  let cursor: { openedAt: Date; id: string } | null = null;
  for (;;) {
    const page: { id: string; openedAt: Date }[] = await db.infusionSession.findMany({
      where: cursor
        ? { AND: [where, { OR: [{ openedAt: { gt: cursor.openedAt } }, { openedAt: cursor.openedAt, id: { gt: cursor.id } }] }] }
        : where,
      orderBy: [{ openedAt: "asc" }, { id: "asc" }],
      take: pageSize,
      select: { id: true, openedAt: true },
    });
    for (let i = 0; i < page.length; i += batchSize) yield page.slice(i, i + batchSize).map((s) => s.id);
    if (page.length < pageSize) return;
    cursor = page[page.length - 1]!;
  }
}

/**
 * Batches read ahead of the one being written: their queries run on their own pooled
 * connections (PostgreSQL works on them in parallel) while this process builds and writes.
 * Measured on 2 shared cores, the writer waited on the database for ~35% of an export with
 * two, ~20% with three, no less with four (bench/RESULTS.md "streamed exports"). Each holds
 * one pooled connection of DB_POOL_MAX (10) while its query runs.
 */
export const EXPORT_READ_AHEAD = 3;

/**
 * Reads the sessions of `where` in batches ordered by (openedAt, id). The ids come through
 * Prisma with the export's filter (the one definition of which sessions an export holds,
 * shared with the count); each batch's rows then come from the batch query
 * (lib/server/sql/export-batch.ts). Up to EXPORT_READ_AHEAD batches are read while the current
 * one is built and written, so memory holds at most 1 + EXPORT_READ_AHEAD batches, whatever
 * the export's size.
 */
export async function* exportBatches(actor: Actor, where: Prisma.InfusionSessionWhereInput, nowMs: number, batchSize = EXPORT_BATCH_SIZE): AsyncGenerator<ExportedSession[]> {
  const ctx = await exportContext(actor, nowMs);
  const pages = sessionIdBatches(where, batchSize);
  const reads: Promise<{ ids: string[]; json: string }>[] = [];
  let morePages = true;
  const readAhead = async () => {
    while (morePages && reads.length < EXPORT_READ_AHEAD) {
      const page = await pages.next();
      if (page.done) morePages = false;
      else if (morePages) {
        // (not if the export was cancelled while this page of ids was read)
        const ids = page.value;
        const read = readExportBatchText(actor.clinicId, ids).then((json) => ({ ids, json }));
        // Awaited in turn below; until then (or if the export is cancelled first) a failure
        // must not surface as an unhandled rejection.
        read.catch(() => {});
        reads.push(read);
      }
    }
  };
  try {
    await readAhead();
    while (reads.length) {
      const { ids, json } = await reads.shift()!;
      const refill = readAhead();
      refill.catch(() => {}); // awaited below, after this batch is handed on
      const rows = parseExportBatch(json, ids);
      await loadProtocolVersions(ctx, rows);
      yield rows.map((s) => toExportedSession(s, ctx));
      await refill;
    }
  } finally {
    morePages = false; // a cancelled export reads no further page
    await pages.return(undefined);
  }
}
