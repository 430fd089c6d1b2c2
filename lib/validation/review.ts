import { z } from "zod";
import { clinicalText, cuidLike } from "./common";

/**
 * A physician signs a series review (or, with sessionId, a review of one session). A signed
 * review is locked: later thoughts are addenda (addendumToId = the signed review).
 */
export const SignReviewSchema = z.strictObject({
  note: clinicalText(5000).pipe(z.string().min(3, "write the review (at least 3 characters)")),
  sessionId: cuidLike.optional(),
  addendumToId: cuidLike.optional(),
});
export type SignReviewInput = z.infer<typeof SignReviewSchema>;
