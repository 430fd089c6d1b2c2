import { z } from "zod";
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
