"use client";
import { useMutation } from "@/app/_components/data/use-mutation";
import { Field } from "@/app/_components/forms/fields";
import { checkPassword, MIN_PASSWORD_LENGTH, PASSWORD_PROBLEM_MESSAGES } from "@/lib/domain/password-policy";
import { ChangeOwnPasswordSchema } from "@/lib/validation/staff";

export function ChangePasswordForm({ email }: { email: string }) {
  const { submit, pending, fieldErrors: fields, formError } = useMutation();

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const raw = { currentPassword: String(f.get("currentPassword") ?? ""), newPassword: String(f.get("newPassword") ?? ""), confirmPassword: String(f.get("confirmPassword") ?? "") };
    const res = await submit("/api/account/password", raw, {
      schema: ChangeOwnPasswordSchema,
      // the password policy the server applies too (not the email, not a common password)
      check: (): Record<string, string> => {
        const problem = checkPassword(raw.newPassword, email);
        return problem ? { newPassword: PASSWORD_PROBLEM_MESSAGES[problem] } : {};
      },
    });
    if (res?.ok) window.location.assign("/");
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
