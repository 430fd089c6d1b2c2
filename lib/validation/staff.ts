import { z } from "zod";
import { checkPassword, MAX_PASSWORD_LENGTH, PASSWORD_PROBLEM_MESSAGES } from "@/lib/domain/password-policy";
import { clinicalText } from "./common";

export const ROLES = ["NURSE", "PHYSICIAN", "ADMIN"] as const;
const role = z.enum(ROLES, { message: "must be NURSE, PHYSICIAN or ADMIN" });
const email = z
  .string({ message: "is required" })
  .trim()
  .toLowerCase()
  .max(320, "must be at most 320 characters")
  .pipe(z.email({ message: "must be an email address" }));
const password = z.string({ message: "is required" }).max(MAX_PASSWORD_LENGTH, PASSWORD_PROBLEM_MESSAGES.TOO_LONG);

export const CreateStaffSchema = z
  .strictObject({
    name: clinicalText(100).pipe(z.string().min(1, "is required")),
    email,
    role,
    /** the initial password; the user must replace it at first sign-in */
    password,
  })
  .superRefine((v, ctx) => {
    const problem = checkPassword(v.password, v.email);
    if (problem) ctx.addIssue({ code: "custom", path: ["password"], message: PASSWORD_PROBLEM_MESSAGES[problem] });
  });
export type CreateStaffInput = z.infer<typeof CreateStaffSchema>;

export const ChangeRoleSchema = z.strictObject({ role });
export type ChangeRoleInput = z.infer<typeof ChangeRoleSchema>;

/** The signed-in user's own change, required after an administrator set or reset it. */
export const ChangeOwnPasswordSchema = z
  .strictObject({
    currentPassword: password.min(1, "is required"),
    newPassword: password,
    confirmPassword: password,
  })
  .superRefine((v, ctx) => {
    if (v.newPassword !== v.confirmPassword)
      ctx.addIssue({ code: "custom", path: ["confirmPassword"], message: "does not match the new password" });
    if (v.newPassword === v.currentPassword)
      ctx.addIssue({ code: "custom", path: ["newPassword"], message: "must differ from the current password" });
  });
export type ChangeOwnPasswordInput = z.infer<typeof ChangeOwnPasswordSchema>;
