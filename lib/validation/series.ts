import { z } from "zod";
import { hasReason, REASON_LENGTH_HINT } from "@/lib/domain/charting";
import { calendarDate, clinicalText, cuidLike, wholeNumber } from "./common";

export const OrderSeriesSchema = z.strictObject({
  protocolVersionId: cuidLike,
  plannedSessions: wholeNumber(1, 60, "sessions"),
  intervalDays: wholeNumber(0, 365, "days").optional(),
  startDate: calendarDate,
  /** required when the patient's screening is positive (flag SCREENING_POSITIVE) */
  screeningOverrideReason: clinicalText(1000).optional(),
});
export type OrderSeriesInput = z.infer<typeof OrderSeriesSchema>;

/**
 * A physician ends a series: COMPLETED (the course is over) or CANCELLED (stopped early).
 * Cancelling says why; the reason is kept on the series and in the audit trail.
 */
export const CloseSeriesSchema = z
  .strictObject({
    outcome: z.enum(["COMPLETED", "CANCELLED"], { message: "must be COMPLETED or CANCELLED" }),
    reason: clinicalText(1000).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.outcome === "CANCELLED" && !hasReason(v.reason))
      ctx.addIssue({ code: "custom", path: ["reason"], message: `say why the series is cancelled (${REASON_LENGTH_HINT})` });
  });
export type CloseSeriesInput = z.infer<typeof CloseSeriesSchema>;
