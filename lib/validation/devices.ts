import { z } from "zod";
import { VITALS_BOUNDS } from "@/lib/domain/vitals";
import { clinicalText, cuidLike, requiredReason, wholeNumber } from "./common";

// Bedside monitors and their readings (docs/decisions/0021-monitor-vitals-over-hl7.md).

/**
 * What the monitor sends to identify itself (its EUI-64 equipment id, or its sending
 * application): printable ASCII, the characters an HL7 v2 identifier carries without a declared
 * character set (MSH-18), and without the HL7 separators, which could never arrive in one component.
 */
const identifier = z.string().trim().min(1, "is required").max(200)
  .regex(/^[\x20-\x7e]+$/, "must be printable ASCII letters, digits and punctuation")
  .regex(/^[^|^~\\&]+$/, "must not contain the HL7 separators | ^ ~ \\ &");
const deviceName = clinicalText(60).pipe(z.string().min(1, "is required"));

export const CreateDeviceSchema = z.strictObject({
  identifier,
  name: deviceName,
  chairId: cuidLike.nullable().optional(),
});
export type CreateDeviceInput = z.infer<typeof CreateDeviceSchema>;

/** Rename, assign to a chair (null: unassigned), deactivate or reactivate: at least one. */
export const UpdateDeviceSchema = z
  .strictObject({
    name: deviceName.optional(),
    chairId: cuidLike.nullable().optional(),
    active: z.boolean({ message: "must be true or false" }).optional(),
  })
  .refine((v) => v.name !== undefined || v.chairId !== undefined || v.active !== undefined, { message: "give a name, a chair or active", path: ["_"] });
export type UpdateDeviceInput = z.infer<typeof UpdateDeviceSchema>;

const b = VITALS_BOUNDS;
/**
 * Accepting a monitor reading as measured. A charted set needs the five core values: the ones
 * the monitor did not send (often the respiratory rate) are typed here; a value the monitor
 * sent cannot be changed on acceptance (reject the reading and chart by hand instead).
 */
export const AcceptDeviceVitalsSchema = z.strictObject({
  systolicMmHg: wholeNumber(b.systolicMmHg.min, b.systolicMmHg.max, "mmHg").optional(),
  diastolicMmHg: wholeNumber(b.diastolicMmHg.min, b.diastolicMmHg.max, "mmHg").optional(),
  heartRatePerMin: wholeNumber(b.heartRatePerMin.min, b.heartRatePerMin.max, "/min").optional(),
  spo2Pct: wholeNumber(b.spo2Pct.min, b.spo2Pct.max, "%").optional(),
  respRatePerMin: wholeNumber(b.respRatePerMin.min, b.respRatePerMin.max, "/min").optional(),
  sedationRass: wholeNumber(b.sedationRass.min, b.sedationRass.max, "").optional(),
});
export type AcceptDeviceVitalsInput = z.infer<typeof AcceptDeviceVitalsSchema>;

export const RejectDeviceVitalsSchema = z.strictObject({ reason: requiredReason });
export type RejectDeviceVitalsInput = z.infer<typeof RejectDeviceVitalsSchema>;

