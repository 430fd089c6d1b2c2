import { z } from "zod";
import { CHECK_IN_NOTE_MAX_CHARS, CHECK_IN_NRS, CHECK_IN_SEVERITY } from "@/lib/domain/check-in";
import { PATIENT_REPORTABLE_KINDS } from "@/lib/domain/side-effects";
import { clinicalText } from "./common";

const nrs = (what: string) =>
  z
    .number({ message: `choose ${what} from ${CHECK_IN_NRS.min} to ${CHECK_IN_NRS.max}` })
    .int(`choose a whole number from ${CHECK_IN_NRS.min} to ${CHECK_IN_NRS.max}`)
    .min(CHECK_IN_NRS.min, `must be ${CHECK_IN_NRS.min} to ${CHECK_IN_NRS.max}`)
    .max(CHECK_IN_NRS.max, `must be ${CHECK_IN_NRS.min} to ${CHECK_IN_NRS.max}`);

// a patient is asked only about what a patient can notice at home (side-effects.ts)
const KIND_CODES = [...PATIENT_REPORTABLE_KINDS] as [string, ...string[]];

/**
 * A patient's check-in (POST /api/check-in/{token} and the check-in page): today's pain and
 * the two PEG interference items (Krebs 2009), side effects since the last session with a
 * severity, a note. Strict: any other field is refused, so nothing but these reaches the chart.
 */
export const CheckInSchema = z.strictObject({
  painNrs: nrs("your pain"),
  enjoymentNrs: nrs("how much pain got in the way of enjoying life"),
  activityNrs: nrs("how much pain got in the way of your general activity"),
  sideEffects: z
    .array(
      z.strictObject({
        kind: z.enum(KIND_CODES, { message: "choose a side effect from the list" }),
        severity: z
          .number({ message: "choose mild, moderate or severe" })
          .int("choose mild, moderate or severe")
          .min(CHECK_IN_SEVERITY.min, "choose mild, moderate or severe")
          .max(CHECK_IN_SEVERITY.max, "choose mild, moderate or severe"),
      }),
      { message: "must be a list" },
    )
    .max(KIND_CODES.length, "too many side effects")
    .refine((list) => new Set(list.map((s) => s.kind)).size === list.length, "each side effect once"),
  note: clinicalText(CHECK_IN_NOTE_MAX_CHARS).optional(),
});
export type CheckInInput = z.infer<typeof CheckInSchema>;

/** Issuing a link (POST /api/series/{id}/check-in-link): optionally emailed to the patient. */
export const IssueCheckInLinkSchema = z.strictObject({
  /** sent once, never stored (the patient record has no email field) */
  email: z.email({ message: "must be an email address" }).max(254, "must be at most 254 characters").optional(),
});
export type IssueCheckInLinkInput = z.infer<typeof IssueCheckInLinkSchema>;

/**
 * Emailing the link already on the discharge sheet (POST /api/series/{id}/check-in-link/email):
 * the token the sheet holds and the address, so the printed QR keeps working.
 */
export const EmailCheckInLinkSchema = z.strictObject({
  token: z.string({ message: "is required" }).regex(/^[A-Za-z0-9_-]{22}$/, "is not a check-in link token"),
  email: z.email({ message: "must be an email address" }).max(254, "must be at most 254 characters"),
});
export type EmailCheckInLinkInput = z.infer<typeof EmailCheckInLinkSchema>;

/** The token in /check-in/{token}: 128 random bits as 22 base64url characters. */
export const CHECK_IN_TOKEN_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** Revoking takes no fields: an empty JSON object, anything else is refused. */
export const RevokeCheckInLinkSchema = z.strictObject({});
