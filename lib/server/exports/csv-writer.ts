import "server-only";
import { csvRecord, csvRow, UTF8_BOM } from "@/lib/domain/csv";
import { SUMMARY_COLUMNS } from "@/lib/domain/session-summary";
import { utf8, type FormatWriter } from "./format-writer";

/** RFC 4180 with a BOM and CRLF, one summary row per session (docs/decisions/0006-exports.md "What a file holds"). */
export function csvWriter(): FormatWriter {
  return {
    contentType: "text/csv; charset=utf-8",
    head: () => [utf8.encode(UTF8_BOM + csvRow(SUMMARY_COLUMNS.map((c) => c.header)))],
    batch: (sessions) => {
      let text = "";
      for (const s of sessions) text += csvRecord(SUMMARY_COLUMNS, (c) => s.summary[c.key]);
      return [utf8.encode(text)];
    },
    tail: () => [],
  };
}
