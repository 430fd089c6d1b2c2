import "server-only";
import { randomUUID } from "node:crypto";
import { exportFileName, type ExportFilterInput, type ExportFormat, type ExportQueryInput } from "@/lib/validation/export";
import { requirePermission, type Actor } from "../actor";
import { recordAccess } from "../access-audit";
import { writeAudit } from "../audit";
import { db } from "../db";
import { csvWriter } from "./csv-writer";
import { fhirWriter } from "./fhir-writer";
import { exportWhere } from "./filter";
import type { FormatWriter } from "./format-writer";
import { createPdfWriter } from "./pdf-writer";
import { exportBatches } from "./pipeline";

/** How many sessions an export with this filter would hold (the page's preview). */
export async function countExportSessions({ actor, filter }: { actor: Actor; filter: ExportFilterInput }): Promise<number> {
  requirePermission(actor, "export:sessions");
  return db.infusionSession.count({ where: await exportWhere(actor, filter) });
}

const CONTENT_TYPES: Record<ExportFormat, string> = { csv: "text/csv; charset=utf-8", fhir: "application/fhir+json; charset=utf-8", pdf: "application/pdf" };

export interface SessionExport {
  exportId: string;
  total: number;
  fileName: string;
  contentType: string;
  stream: ReadableStream<Uint8Array>;
  /** settles when the audit row is written (completion, abort or failure): for tests */
  audited: Promise<void>;
}

/**
 * Opens a streamed export. The filter is checked and counted up front (a bad filter throws
 * BAD_INPUT before anything is written or audited); the rows are read batch by batch as the
 * client reads. When the stream ends, is cancelled (client went away) or fails, one audit
 * row records who, the filter, the format and how many sessions were written, in its own
 * transaction: the row count is known only then (docs/decisions/0006-exports.md "Audit").
 */
export async function openSessionExport({ actor, query, now = new Date(), route = "internal" }: { actor: Actor; query: ExportQueryInput; now?: Date; route?: string }): Promise<SessionExport> {
  requirePermission(actor, "export:sessions");
  const { format, ...filter } = query;
  const where = await exportWhere(actor, filter);
  const [total, patients] = await Promise.all([
    db.infusionSession.count({ where }),
    // the patients the export will hold, for its access row (decision 0019)
    db.series.findMany({ where: { clinicId: actor.clinicId, sessions: { some: where } }, select: { patientId: true }, distinct: ["patientId"] }),
  ]);
  const exportId = randomUUID();
  // Recorded before the first byte: who exported which patients, through which route. The
  // export.sessions row written when the stream ends adds the outcome and the row count.
  await recordAccess(actor, { route, record: "Export", recordId: exportId, patientIds: patients.map((p) => p.patientId) });
  const writer: FormatWriter =
    format === "csv" ? csvWriter() : format === "fhir" ? fhirWriter(exportId, now.toISOString()) : createPdfWriter();
  const batches = exportBatches(actor, where, now.getTime());
  let rowCount = 0;
  let settled = false;
  let resolveAudited!: () => void;
  const audited = new Promise<void>((r) => (resolveAudited = r));
  const finish = async (outcome: "completed" | "aborted" | "failed") => {
    if (settled) return;
    settled = true;
    try {
      await db.$transaction((tx) =>
        writeAudit(tx, {
          clinicId: actor.clinicId, actorId: actor.userId, action: "export.sessions", entityType: "Export", entityId: exportId,
          after: { format, filter, outcome, rowCount, expected: total, startedAt: now.toISOString(), finishedAt: new Date().toISOString() },
        }),
      );
    } catch (err) {
      console.error("[export] audit row failed:", err instanceof Error ? err.message : String(err));
    } finally {
      resolveAudited();
    }
  };
  let started = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (!started) {
          started = true;
          for (const c of await writer.head()) controller.enqueue(c);
          return;
        }
        const next = await batches.next();
        if (next.done) {
          for (const c of await writer.tail()) controller.enqueue(c);
          await finish("completed");
          controller.close();
          return;
        }
        for (const c of await writer.batch(next.value)) controller.enqueue(c);
        rowCount += next.value.length;
      } catch (err) {
        console.error("[export] failed:", err instanceof Error ? `${err.name}: ${err.message}` : String(err));
        await finish("failed");
        controller.error(err);
      }
    },
    async cancel() {
      await batches.return(undefined);
      await finish("aborted");
    },
  });
  return { exportId, total, fileName: exportFileName(format, filter.from, filter.to), contentType: CONTENT_TYPES[format], stream, audited };
}
