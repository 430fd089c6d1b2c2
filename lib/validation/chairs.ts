import { z } from "zod";
import { clinicalText, cuidLike } from "./common";

/** A chair's name as the suite labels it ("Chair 3", "Window bay"). */
const chairName = clinicalText(40).pipe(z.string().min(1, "is required"));

export const CreateChairSchema = z.strictObject({ name: chairName });
export type CreateChairInput = z.infer<typeof CreateChairSchema>;

/**
 * Rename, deactivate or reactivate (at least one of the two), or move the chair to a place in
 * the clinic's order of active chairs (`position`, 1 = first; alone). A place, not "one up":
 * a retried request leaves the order as the first one did.
 */
export const UpdateChairSchema = z
  .strictObject({
    name: chairName.optional(),
    active: z.boolean({ message: "must be true or false" }).optional(),
    position: z.number({ message: "must be a whole number" }).int("must be a whole number").min(1, "must be 1 or more").max(1000, "must be 1000 or less").optional(),
  })
  .refine((v) => v.name !== undefined || v.active !== undefined || v.position !== undefined, { message: "give a name, active or position", path: ["_"] })
  .refine((v) => v.position === undefined || (v.name === undefined && v.active === undefined), { message: "move a chair on its own, without a name or active", path: ["position"] });
export type UpdateChairInput = z.infer<typeof UpdateChairSchema>;

/** Moves a running session to another chair (a reason is optional: "patient asked for the window"). */
export const MoveChairSchema = z.strictObject({
  chairId: cuidLike,
  reason: clinicalText(1000).optional(),
});
export type MoveChairInput = z.infer<typeof MoveChairSchema>;
