import { z } from "zod";
import { hasReason } from "@/lib/domain/charting";
import { SIDE_EFFECT_KINDS, INTERVENTIONS } from "@/lib/domain/side-effects";
import { VITALS_BOUNDS } from "@/lib/domain/vitals";
import { PAIN_BOUNDS } from "@/lib/domain/pain";
import { clinicalText, cuidLike, decimalQuantity, instant, requiredReason, wholeNumber } from "./common";

/** Every charted entry may replace an earlier one: the new row points at it, with a reason. */
const correctionFields = {
  correctsId: cuidLike.optional(),
  correctionReason: clinicalText(1000).optional(),
};
function correctionNeedsReason(v: { correctsId?: string; correctionReason?: string }, ctx: z.RefinementCtx) {
  if (v.correctsId && !hasReason(v.correctionReason))
    ctx.addIssue({ code: "custom", path: ["correctionReason"], message: "give a reason for the correction" });
  if (!v.correctsId && v.correctionReason)
    ctx.addIssue({ code: "custom", path: ["correctsId"], message: "is required with a correction reason" });
}

export const StartSessionSchema = z.strictObject({
  weightKg: decimalQuantity({ decimals: 1, min: 2, max: 400, unit: "kg" }),
  concentrationMgPerMl: decimalQuantity({ decimals: 2, min: 0.01, max: 100, unit: "mg/mL" }),
  consentConfirmed: z.boolean().optional(),
  screeningReviewed: z.boolean().optional(),
  /** confirms a weight that looks like pounds or changed more than the protocol allows (lib/domain/guards.ts) */
  weightConfirmReason: clinicalText(1000).optional(),
  /** why a concentration outside the protocol's drug library is used */
  concentrationReason: clinicalText(1000).optional(),
  /** a physician's override for an undiluted stock vial (50 or 100 mg/mL): a hard stop */
  concentrationOverrideReason: clinicalText(1000).optional(),
  /** late documentation: the clinical opening time, up to 7 days back (checkOpenedAt) */
  openedAt: instant.optional(),
  lateEntryReason: clinicalText(1000).optional(),
  /** the treatment chair: required while the clinic has an active chair (docs/decisions/0013-chairs-and-the-board.md) */
  chairId: cuidLike.optional(),
});
export type StartSessionInput = z.infer<typeof StartSessionSchema>;

/** Moves an open session's opening time earlier (late documentation), with a reason. */
export const MoveOpenedAtSchema = z.strictObject({
  openedAt: instant,
  lateEntryReason: requiredReason,
});
export type MoveOpenedAtInput = z.infer<typeof MoveOpenedAtSchema>;

export const DOSE_EVENT_TYPES = ["START", "RATE_CHANGE", "BOLUS", "PAUSE", "RESUME", "STOP"] as const;

export const DoseEventSchema = z
  .strictObject({
    type: z.enum(DOSE_EVENT_TYPES, { message: `must be one of ${DOSE_EVENT_TYPES.join(", ")}` }),
    at: instant,
    // Rates above the hard limit are valid input (flagged, needing an override); only
    // absurd values (beyond 10x the anesthetic edge) are impossible.
    rateMgPerKgPerH: decimalQuantity({ decimals: 3, min: 0.001, max: 10, unit: "mg/kg/h" }).optional(),
    bolusMg: decimalQuantity({ decimals: 3, min: 0.001, max: 2000, unit: "mg" }).optional(),
    reason: clinicalText(1000).optional(),
    overrideReason: clinicalText(1000).optional(),
    backTimeReason: clinicalText(1000).optional(),
    ...correctionFields,
  })
  .superRefine(correctionNeedsReason)
  .superRefine((v, ctx) => {
    const needsRate = v.type === "START" || v.type === "RATE_CHANGE";
    if (needsRate && v.rateMgPerKgPerH === undefined)
      ctx.addIssue({ code: "custom", path: ["rateMgPerKgPerH"], message: `is required for ${v.type}` });
    if (!needsRate && v.rateMgPerKgPerH !== undefined)
      ctx.addIssue({ code: "custom", path: ["rateMgPerKgPerH"], message: `is not allowed for ${v.type}` });
    if (v.type === "BOLUS" && v.bolusMg === undefined)
      ctx.addIssue({ code: "custom", path: ["bolusMg"], message: "is required for BOLUS" });
    if (v.type !== "BOLUS" && v.bolusMg !== undefined)
      ctx.addIssue({ code: "custom", path: ["bolusMg"], message: `is not allowed for ${v.type}` });
  });
export type DoseEventInput = z.infer<typeof DoseEventSchema>;

const b = VITALS_BOUNDS;
export const VitalsSchema = z
  .strictObject({
    at: instant,
    systolicMmHg: wholeNumber(b.systolicMmHg.min, b.systolicMmHg.max, "mmHg"),
    diastolicMmHg: wholeNumber(b.diastolicMmHg.min, b.diastolicMmHg.max, "mmHg"),
    heartRatePerMin: wholeNumber(b.heartRatePerMin.min, b.heartRatePerMin.max, "/min"),
    spo2Pct: wholeNumber(b.spo2Pct.min, b.spo2Pct.max, "%"),
    respRatePerMin: wholeNumber(b.respRatePerMin.min, b.respRatePerMin.max, "/min"),
    temperatureC: decimalQuantity({ decimals: 1, min: b.temperatureDeciC.min / 10, max: b.temperatureDeciC.max / 10, unit: "°C" }).optional(),
    sedationRass: wholeNumber(b.sedationRass.min, b.sedationRass.max, "").optional(),
    isBaseline: z.boolean().optional(),
    reason: clinicalText(1000).optional(),
    backTimeReason: clinicalText(1000).optional(),
    ...correctionFields,
  })
  .refine((v) => v.diastolicMmHg < v.systolicMmHg, { path: ["diastolicMmHg"], message: "must be below systolic" })
  .superRefine(correctionNeedsReason);
export type VitalsInput = z.infer<typeof VitalsSchema>;

export const PainSchema = z
  .strictObject({
    at: instant,
    score: z.number({ message: "must be a number" }).int("must be a whole number"),
    scale: z.enum(["NRS", "VAS"], { message: "must be NRS or VAS" }),
    phase: z.enum(["PRE", "INTRA", "POST", "FOLLOW_UP"], { message: "must be PRE, INTRA, POST or FOLLOW_UP" }),
    backTimeReason: clinicalText(1000).optional(),
    ...correctionFields,
  })
  .superRefine(correctionNeedsReason)
  .superRefine((v, ctx) => {
    const bounds = PAIN_BOUNDS[v.scale];
    if (v.score < bounds.min || v.score > bounds.max)
      ctx.addIssue({ code: "custom", path: ["score"], message: `must be ${bounds.min}-${bounds.max} on the ${v.scale} scale` });
  });
export type PainInput = z.infer<typeof PainSchema>;

const kindCodes = SIDE_EFFECT_KINDS.map((k) => k.code) as [string, ...string[]];
const interventionCodes = INTERVENTIONS.map((k) => k.code) as [string, ...string[]];
export const SideEffectSchema = z.strictObject({
  at: instant,
  kind: z.enum(kindCodes, { message: "is not a known side effect" }),
  severity: wholeNumber(0, 3, ""),
  intervention: z.enum(interventionCodes, { message: "is not a known intervention" }).optional(),
  note: clinicalText(2000).optional(),
  backTimeReason: clinicalText(1000).optional(),
  ...correctionFields,
}).superRefine(correctionNeedsReason);
export type SideEffectInput = z.infer<typeof SideEffectSchema>;

export const CompleteSessionSchema = z.strictObject({
  dischargeReady: z.boolean({ message: "confirm the discharge check" }),
  dischargeNote: clinicalText(2000).optional(),
  rowVersion: z.number().int().min(0).optional(),
});

export const SignSessionSchema = z.strictObject({
  rowVersion: z.number().int().min(0).optional(),
});

export const AddendumSchema = z.strictObject({ text: clinicalText(4000).pipe(z.string().min(1, "is required")) });

export const AcknowledgeFlagSchema = z.strictObject({ reason: requiredReason });
export const AcknowledgeFlagsSchema = z.strictObject({
  flagIds: z.array(cuidLike).min(1, "choose at least one flag").max(500),
  reason: requiredReason,
});

export const CORRECTABLE = ["dose-events", "vitals", "pain", "side-effects"] as const;
/** A correction: a new row replacing `correctsId`, or a retraction (entered in error). */
export const RetractSchema = z.strictObject({ correctionReason: requiredReason });
