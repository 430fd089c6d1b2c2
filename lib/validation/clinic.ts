import { z } from "zod";
import { ANESTHETIC_BOLUS_UG_PER_KG, ANESTHETIC_RATE_UG_PER_KG_PER_H, DEFAULT_VITALS_THRESHOLDS, validateProtocolLimits, type VitalsThresholds } from "@/lib/domain/protocol";
import { PATIENT_REPORTABLE_KINDS, type SideEffectKind } from "@/lib/domain/side-effects";
import { clinicalText, wholeNumber } from "./common";

/** Idle sign-out bounds: under 5 min interrupts bedside charting, over 60 leaves a chart open. */
export const IDLE_SIGN_OUT_MIN = 5;
export const IDLE_SIGN_OUT_MAX = 60;

let zones: Set<string> | null = null;
/** IANA zones the runtime knows (plus UTC, which some engines list only as an alias). */
export function isKnownTimeZone(tz: string): boolean {
  zones ??= new Set([...Intl.supportedValuesOf("timeZone"), "UTC"]);
  return zones.has(tz);
}

export const VITALS_DEFAULT_KEYS = Object.keys(DEFAULT_VITALS_THRESHOLDS) as (keyof VitalsThresholds)[];

/**
 * Vitals thresholds checked by the same rules as a protocol's (validateProtocolLimits), on a
 * protocol with no dose limits, keeping only the vitals messages.
 */
export function validateVitalsThresholds(t: VitalsThresholds): Record<string, string> {
  const errors = validateProtocolLimits({
    doseBasis: "RATE_PER_KG",
    softMinRateUgPerKgPerH: null, softMaxRateUgPerKgPerH: null, startMinRateUgPerKgPerH: null, startMaxRateUgPerKgPerH: null,
    hardMaxRateUgPerKgPerH: ANESTHETIC_RATE_UG_PER_KG_PER_H, softMaxBolusUgPerKg: null, hardMaxBolusUgPerKg: ANESTHETIC_BOLUS_UG_PER_KG,
    maxStepUgPerKgPerH: null, maxCumulativeUgPerKg: null, maxCumulativeUg: null, minDurationMin: null, maxDurationMin: null,
    defaultPlannedSessions: null, minIntervalHours: null, maxSessionsPer7Days: null,
    ...t,
  });
  return Object.fromEntries(Object.entries(errors).filter(([k]) => (VITALS_DEFAULT_KEYS as string[]).includes(k)));
}

export const ClinicSettingsSchema = z
  .strictObject({
    name: clinicalText(120).pipe(z.string().min(1, "is required")),
    timezone: z.string({ message: "is required" }).trim().refine(isKnownTimeZone, "is not a known IANA time zone"),
    idleSignOutMin: wholeNumber(IDLE_SIGN_OUT_MIN, IDLE_SIGN_OUT_MAX, "minutes"),
    vitalsIntervalMin: wholeNumber(1, 1440, "minutes"),
    sbpHighMmHg: wholeNumber(1, 300, "mmHg"),
    dbpHighMmHg: wholeNumber(1, 200, "mmHg"),
    bpRisePct: wholeNumber(1, 200, "%"),
    hrHighPerMin: wholeNumber(1, 250, "/min"),
    hrLowPerMin: wholeNumber(1, 250, "/min"),
    spo2LowPct: wholeNumber(1, 100, "%"),
    rrLowPerMin: wholeNumber(1, 80, "/min"),
    rrHighPerMin: wholeNumber(1, 80, "/min"),
    // Patient check-ins (docs/decisions/0020-patient-check-ins.md); each left out keeps its value.
    phone: z.string({ message: "must be text" }).trim().max(40, "must be at most 40 characters")
      .refine((s) => s === "" || /^\+?[0-9 ()./-]{3,40}$/.test(s), "digits, spaces and + ( ) - . / only").optional(),
    checkInLinkDaysAfterEnd: wholeNumber(1, 365, "days").optional(),
    checkInDaysAfterSession: z.array(wholeNumber(1, 60, "days"), { message: "must be a list of days" })
      .min(1, "give at least one day").max(10, "at most 10 days")
      .refine((d) => new Set(d).size === d.length, "each day once").optional(),
    checkInDayBeforeNext: z.boolean({ message: "must be true or false" }).optional(),
    checkInSideEffectKinds: z.array(z.enum(PATIENT_REPORTABLE_KINDS as [SideEffectKind, ...SideEffectKind[]], { message: "choose side effects a patient can report" }), { message: "must be a list of side effects" })
      .min(1, "choose at least one side effect to ask about")
      .refine((k) => new Set(k).size === k.length, "each side effect once").optional(),
    // A bedside monitor's value past these alerts the board before validation
    // (docs/decisions/0021-monitor-vitals-over-hl7.md); each left out keeps its value.
    deviceCriticalSpo2BelowPct: wholeNumber(50, 100, "%").optional(),
    deviceCriticalSbpAtOrAboveMmHg: wholeNumber(100, 300, "mmHg").optional(),
  })
  .superRefine((v, ctx) => {
    for (const [path, message] of Object.entries(validateVitalsThresholds(v)))
      ctx.addIssue({ code: "custom", path: [path], message });
  });
export type ClinicSettingsInput = z.infer<typeof ClinicSettingsSchema>;
