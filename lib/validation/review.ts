import { z } from "zod";
import { REASON_LENGTH_HINT, REASON_MIN_CHARS } from "@/lib/domain/charting";
import { clinicalText, cuidLike } from "./common";

/**
 * A physician signs a series review (or, with sessionId, a review of one session). A signed
 * review is locked: later thoughts are addenda (addendumToId = the signed review).
 */
export const SignReviewSchema = z.strictObject({
  note: clinicalText(5000).pipe(z.string().min(REASON_MIN_CHARS, `write the review (${REASON_LENGTH_HINT})`)),
  sessionId: cuidLike.optional(),
  addendumToId: cuidLike.optional(),
});
export type SignReviewInput = z.infer<typeof SignReviewSchema>;
