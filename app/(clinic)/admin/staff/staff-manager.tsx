"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { ZodType } from "zod";
import { useMutation } from "@/app/_components/data/use-mutation";
import { Field } from "@/app/_components/forms/fields";
import { MIN_PASSWORD_LENGTH } from "@/lib/domain/password-policy";
import { ROLE_LABELS, type Role } from "@/lib/permissions";
import type { StaffDto } from "@/lib/server/staff";
import { ChangeRoleSchema, CreateStaffSchema, ROLES } from "@/lib/validation/staff";

export function StaffManager({ staff, currentUserId }: { staff: StaffDto[]; currentUserId: string }) {
  const router = useRouter();
  const create = useMutation();
  const rowAction = useMutation();
  const fields = create.fieldErrors;
  const [notice, setNotice] = useState<string | null>(null);
  const [temp, setTemp] = useState<{ name: string; password: string } | null>(null);

  async function onCreate(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const raw = { name: String(f.get("name") ?? ""), email: String(f.get("email") ?? ""), role: String(f.get("role") ?? ""), password: String(f.get("password") ?? "") };
    const res = await create.submit<{ user: StaffDto }>("/api/admin/users", raw, { schema: CreateStaffSchema });
    if (!res?.ok) return;
    form.reset();
    setNotice(`${res.data.user.name} can now sign in with the password you set, and will be asked to choose a new one.`);
    router.refresh();
  }

  async function act(url: string, body: unknown, done: string, schema?: ZodType) {
    setNotice(null);
    const res = await rowAction.submit<{ user?: StaffDto; temporaryPassword?: string }>(url, body, { schema });
    if (!res?.ok) return;
    if (res.data.temporaryPassword) setTemp({ name: res.data.user?.name ?? "", password: res.data.temporaryPassword });
    else setNotice(done);
    router.refresh();
  }

  return (
    <div className="space-y-6">
      <section className="card overflow-x-auto" aria-labelledby="staff-h">
        <h2 id="staff-h" className="mb-2 text-lg font-semibold">Accounts</h2>
        <p role="alert" className="field-error">{rowAction.formError}</p>
        {notice && <p role="status" className="mb-2 rounded-md bg-calm-50 p-2 text-sm">{notice}</p>}
        {temp && (
          <div role="status" className="mb-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
            Temporary password for {temp.name}: <code data-testid="temporary-password" className="select-all rounded bg-white px-1 text-base font-semibold">{temp.password}</code>
            <span className="block text-slate-700">Shown once. Give it to them in person; they must choose a new password when they sign in.</span>
            <button type="button" className="btn-secondary mt-2" onClick={() => setTemp(null)}>Done</button>
          </div>
        )}
        <div className="overflow-x-auto"><table className="table-dense">
          <thead><tr><th>Name</th><th>Email</th><th>Role</th><th>Status</th><th>Actions</th></tr></thead>
          <tbody>
            {staff.map((u) => (
              <tr key={u.id} className={u.active ? undefined : "text-slate-600"}>
                <td className="font-medium">{u.name}{u.id === currentUserId && <span className="text-xs text-slate-600"> (you)</span>}</td>
                <td>{u.email}</td>
                <td>
                  <label className="sr-only" htmlFor={`role-${u.id}`}>Role of {u.name}</label>
                  <select
                    id={`role-${u.id}`} className="field-input mt-0 h-9" value={u.role} disabled={!u.active}
                    onChange={(e) => void act(`/api/admin/users/${u.id}/role`, { role: e.target.value }, `${u.name} is now ${ROLE_LABELS[e.target.value as Role].toLowerCase()}.`, ChangeRoleSchema)}
                  >
                    {ROLES.map((r) => <option key={r} value={r}>{ROLE_LABELS[r]}</option>)}
                  </select>
                </td>
                <td>
                  {u.active ? "active" : "deactivated"}
                  {u.mustChangePassword && u.active && <span className="block text-xs text-slate-600">must set a new password</span>}
                  {u.lockedUntil && new Date(u.lockedUntil) > new Date() && <span className="block text-xs text-hard">locked</span>}
                </td>
                <td className="space-x-1 whitespace-nowrap">
                  {u.active ? (
                    <>
                      <button type="button" className="btn-secondary" aria-label={`Reset password of ${u.name}`}
                        onClick={() => window.confirm(`Reset the password of ${u.name}? Their current password stops working.`) && void act(`/api/admin/users/${u.id}/reset-password`, {}, "")}>Reset password</button>
                      <button type="button" className="btn-secondary" aria-label={`Deactivate ${u.name}`}
                        onClick={() => window.confirm(`Deactivate ${u.name}? They can no longer sign in; what they charted and signed stays.`) && void act(`/api/admin/users/${u.id}/deactivate`, {}, `${u.name} is deactivated.`)}>Deactivate</button>
                    </>
                  ) : (
                    <button type="button" className="btn-secondary" aria-label={`Reactivate ${u.name}`} onClick={() => void act(`/api/admin/users/${u.id}/reactivate`, {}, `${u.name} is active again.`)}>Reactivate</button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table></div>
      </section>
      <section className="card" aria-labelledby="new-staff-h">
        <h2 id="new-staff-h" className="mb-2 text-lg font-semibold">Add a staff member</h2>
        <form onSubmit={onCreate} noValidate className="grid gap-3 sm:grid-cols-2">
          <Field id="name" label="Name" autoComplete="off" error={fields.name} />
          <Field id="email" label="Email" type="email" autoComplete="off" error={fields.email} />
          <Field id="role" label="Role" error={fields.role}>
            <select id="role" name="role" className="field-input h-10" defaultValue="NURSE">
              {ROLES.map((r) => <option key={r} value={r}>{ROLE_LABELS[r]}</option>)}
            </select>
          </Field>
          <Field id="password" label="Initial password" type="text" autoComplete="new-password" error={fields.password}
            hint={`At least ${MIN_PASSWORD_LENGTH} characters, not the email, not a common password. They replace it at first sign-in.`} />
          <div className="sm:col-span-2">
            <p role="alert" className="field-error">{create.formError}</p>
            <button type="submit" className="btn-primary" disabled={create.pending}>{create.pending ? "Adding…" : "Add staff member"}</button>
          </div>
        </form>
      </section>
    </div>
  );
}
