"use client";
import { useState } from "react";
import { postJson } from "@/app/_components/api";
import { Field } from "@/app/_components/forms/field";
import { checkPassword, MIN_PASSWORD_LENGTH, PASSWORD_PROBLEM_MESSAGES } from "@/lib/domain/password-policy";
import { ChangeOwnPasswordSchema } from "@/lib/validation/staff";

export function ChangePasswordForm({ email }: { email: string }) {
  const [fields, setFields] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const raw = { currentPassword: String(f.get("currentPassword") ?? ""), newPassword: String(f.get("newPassword") ?? ""), confirmPassword: String(f.get("confirmPassword") ?? "") };
    const errs: Record<string, string> = {};
    const parsed = ChangeOwnPasswordSchema.safeParse(raw);
    if (!parsed.success) for (const i of parsed.error.issues) errs[i.path.join(".")] ??= i.message;
    const problem = checkPassword(raw.newPassword, email);
    if (problem) errs.newPassword ??= PASSWORD_PROBLEM_MESSAGES[problem];
    if (Object.keys(errs).length) {
      setFields(errs);
      setFormError("Check the highlighted fields.");
      return;
    }
    setPending(true);
    const res = await postJson("/api/account/password", raw, { signedOut: "redirect" });
    setPending(false);
    if (!res.ok) {
      setFields(res.error.fields ?? {});
      setFormError(res.error.message);
      return;
    }
    window.location.assign("/");
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-3">
      <Field id="currentPassword" label="Current password" type="password" autoComplete="current-password" error={fields.currentPassword} />
      <Field id="newPassword" label="New password" type="password" autoComplete="new-password" error={fields.newPassword}
        hint={`At least ${MIN_PASSWORD_LENGTH} characters; not your email; not a common password.`} />
      <Field id="confirmPassword" label="Repeat the new password" type="password" autoComplete="new-password" error={fields.confirmPassword} />
      <p role="alert" className="field-error">{formError}</p>
      <button type="submit" className="btn-primary w-full" disabled={pending}>{pending ? "Saving…" : "Set password"}</button>
    </form>
  );
}
