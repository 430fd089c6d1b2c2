// CSV per RFC 4180 (CRLF line ends, fields with comma, quote, CR or LF quoted, quotes doubled)
// and neutralised against spreadsheet formula injection (OWASP "CSV Injection"): a text value
// starting with = + - @ (or tab / carriage return, which some spreadsheets strip before
// evaluating) is prefixed with an apostrophe so it opens as text, never as a formula.

const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field. Numbers are written as they are (a negative number is data, not a formula). */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return "";
    return String(value);
  }
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV record, terminated by CRLF. */
export function csvRow(values: readonly (string | number | null | undefined)[]): string {
  return csvRecord(values, (v) => v);
}

/**
 * One CSV record of the value of each of `fields`, terminated by CRLF, with no intermediate
 * array (an export writes one per session: e.g. `csvRecord(SUMMARY_COLUMNS, (c) => summary[c.key])`).
 */
export function csvRecord<F>(fields: readonly F[], valueOf: (field: F) => string | number | null | undefined): string {
  let record = "";
  for (let i = 0; i < fields.length; i++) record += (i === 0 ? "" : ",") + csvField(valueOf(fields[i]!));
  return `${record}\r\n`;
}

/** UTF-8 byte order mark: lets spreadsheets detect UTF-8 (names like "Zoë Ngô"). */
export const UTF8_BOM = "\uFEFF";
