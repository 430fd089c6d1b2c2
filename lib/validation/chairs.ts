import { z } from "zod";
import { clinicalText, cuidLike } from "./common";

/** A chair's name as the suite labels it ("Chair 3", "Window bay"). */
const chairName = clinicalText(40).pipe(z.string().min(1, "is required"));

export const CreateChairSchema = z.strictObject({ name: chairName });
export type CreateChairInput = z.infer<typeof CreateChairSchema>;

/** Rename, deactivate or reactivate: at least one of the two. */
export const UpdateChairSchema = z
  .strictObject({
    name: chairName.optional(),
    active: z.boolean({ message: "must be true or false" }).optional(),
  })
  .refine((v) => v.name !== undefined || v.active !== undefined, { message: "give a name or active", path: ["_"] });
export type UpdateChairInput = z.infer<typeof UpdateChairSchema>;

/** Moves a running session to another chair (a reason is optional: "patient asked for the window"). */
export const MoveChairSchema = z.strictObject({
  chairId: cuidLike,
  reason: clinicalText(1000).optional(),
});
export type MoveChairInput = z.infer<typeof MoveChairSchema>;
