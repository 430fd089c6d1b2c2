import { z } from "zod";
import { REASON_LENGTH_HINT, REASON_MIN_CHARS } from "@/lib/domain/charting";
import { parseDecimalToScaledInt } from "@/lib/domain/units";

/** An instant with an explicit offset, e.g. 2026-11-21T09:15:00-05:00 or ...Z. */
export const instant = z.iso.datetime({ offset: true, message: "must be an ISO 8601 date-time with offset" });

/** A calendar date, YYYY-MM-DD, between 1900 and 2100. */
export const calendarDate = z.iso
  .date({ message: "must be a date as YYYY-MM-DD" })
  .refine((d) => d >= "1900-01-01" && d <= "2100-12-31", "must be between 1900 and 2100");

/** Free text a clinician writes: trimmed, bounded, no control characters but newlines and tabs. */
export const clinicalText = (max: number) =>
  z
    .string({ message: "must be text" })
    .trim()
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(s), "contains control characters");

/** A reason (back-timing, correction, retraction, acknowledgement): the one length rule of lib/domain/charting. */
export const requiredReason = clinicalText(1000).pipe(z.string().min(REASON_MIN_CHARS, `give a reason (${REASON_LENGTH_HINT})`));

/**
 * A positive decimal with at most `decimals` fractional digits, within [min, max]. Numbers
 * only: an empty form field must never become a 0 mg dose, so forms send numbers or nothing.
 */
export const decimalQuantity = (opts: { decimals: number; min: number; max: number; unit: string; allowZero?: boolean }) =>
  z
    .number({ message: `must be a number in ${opts.unit}` })
    .refine((n) => Number.isFinite(n), "must be a finite number")
    .refine((n) => parseDecimalToScaledInt(n, opts.decimals) !== null, `at most ${opts.decimals} decimal places`)
    .refine((n) => (opts.allowZero ? n >= opts.min : n > 0 && n >= opts.min), opts.allowZero ? `must be at least ${opts.min} ${opts.unit}` : `must be greater than 0 ${opts.unit}${opts.min > 0 ? ` (at least ${opts.min})` : ""}`)
    .refine((n) => n <= opts.max, `must be at most ${opts.max} ${opts.unit}`);

export const wholeNumber = (min: number, max: number, unit: string) =>
  z
    .number({ message: `must be a number${unit ? ` in ${unit}` : ""}` })
    .int("must be a whole number")
    .min(min, `must be at least ${min}${unit ? ` ${unit}` : ""}`)
    .max(max, `must be at most ${max}${unit ? ` ${unit}` : ""}`);

export const cuidLike = z.string().min(1).max(64).regex(/^[a-z0-9]+$/i, "is not a valid id");

/** One message per field (the first), keyed by its dotted path; "_" for the whole form. */
export function fieldMessages(issues: readonly { path: readonly PropertyKey[]; message: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of issues) {
    const key = issue.path.length ? issue.path.map(String).join(".") : "_";
    out[key] ??= issue.message;
  }
  return out;
}
