import { z } from "zod";
import { calendarDate, cuidLike } from "./common";

export const EXPORT_FORMATS = ["csv", "fhir", "pdf"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Which sessions an export holds. Signed only by default: a signed chart is the record. */
export const EXPORT_STATUSES = ["signed", "completed", "in_progress", "all"] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];

/** The longest date range one export may span (a year of a busy clinic streams in seconds). */
export const MAX_EXPORT_RANGE_DAYS = 3 * 366;

const optionalId = z.preprocess((v) => (v === "" || v === null ? undefined : v), cuidLike.optional());
const optionalDate = z.preprocess((v) => (v === "" || v === null ? undefined : v), calendarDate.optional());
const lower = (v: unknown) => (typeof v === "string" && v !== "" ? v.toLowerCase() : v === "" ? undefined : v);

/**
 * Export filter, from the query string of GET /api/exports/sessions (and the count endpoint).
 * Dates are calendar days in the clinic's zone, both inclusive; a session belongs to the day
 * it was opened.
 */
export const ExportFilterSchema = z
  .object({
    from: optionalDate,
    to: optionalDate,
    protocolId: optionalId,
    patientId: optionalId,
    status: z.preprocess(lower, z.enum(EXPORT_STATUSES, { message: `must be one of ${EXPORT_STATUSES.join(", ")}` }).default("signed")),
  })
  .superRefine((f, ctx) => {
    if (f.from && f.to && f.from > f.to) ctx.addIssue({ code: "custom", path: ["from"], message: "must be on or before the end date (to)" });
    if (f.from && f.to) {
      const days = (Date.parse(`${f.to}T00:00:00Z`) - Date.parse(`${f.from}T00:00:00Z`)) / 86_400_000;
      if (days > MAX_EXPORT_RANGE_DAYS) ctx.addIssue({ code: "custom", path: ["to"], message: `the range may span at most ${MAX_EXPORT_RANGE_DAYS} days` });
    }
  });
export type ExportFilterInput = z.infer<typeof ExportFilterSchema>;

export const ExportQuerySchema = z.intersection(
  ExportFilterSchema,
  z.object({
    format: z.preprocess(lower, z.enum(EXPORT_FORMATS, { message: `must be one of ${EXPORT_FORMATS.join(", ")}` })),
  }),
);
export type ExportQueryInput = z.infer<typeof ExportQuerySchema>;

/** The query string as a plain object (a repeated key keeps its first value). */
export function queryObject(searchParams: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of searchParams) if (!(k in out)) out[k] = v;
  return out;
}

/** A clear file name: titrate-sessions-2026-11-01_2026-11-21.csv (or ...-all-dates). */
export function exportFileName(format: ExportFormat, from: string | undefined, to: string | undefined): string {
  const range = from || to ? `${from ?? "start"}_${to ?? "today"}` : "all-dates";
  const ext = format === "fhir" ? "fhir.json" : format;
  return `titrate-sessions-${range}.${ext}`;
}
