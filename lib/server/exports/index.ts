import "server-only";

// Streamed exports of session summaries (docs/decisions/0006-exports.md), one concern per module:
//   filter.ts          which sessions an export holds (clinic scope, days in the clinic's zone)
//   pipeline.ts        ids by keyset page, batches read ahead through the batch query
//                      (lib/server/sql/export-batch.ts: its SQL, row type and decoder)
//   projection.ts      one exported session: summary row and charted detail, rows in force
//   csv-writer.ts, fhir-writer.ts, pdf-writer.ts   the file formats
//   session-export.ts  the service: permission, count, stream, audit
export { countExportSessions, openSessionExport, type SessionExport } from "./session-export";
export { EXPORT_BATCH_SIZE, EXPORT_READ_AHEAD, exportBatches } from "./pipeline";
export { ExportedSession, toExportedSession, type ExportContext } from "./projection";
export { stableUuid } from "./fhir-writer";
export { readExportRows, type ExportRow } from "../sql/export-batch";
