"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useMutation } from "@/app/_components/data/use-mutation";
import { Field } from "@/app/_components/forms/fields";
import type { ChairDto } from "@/lib/server/chairs";
import { CreateChairSchema, UpdateChairSchema } from "@/lib/validation/chairs";

export function ChairManager({ chairs }: { chairs: ChairDto[] }) {
  const router = useRouter();
  const create = useMutation();
  const rowAction = useMutation();
  const [notice, setNotice] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<string | null>(null);

  async function onCreate(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setNotice(null);
    const form = e.currentTarget;
    const name = String(new FormData(form).get("chair-name") ?? "");
    const res = await create.submit<{ chair: ChairDto }>("/api/admin/chairs", { name }, { schema: CreateChairSchema });
    if (!res?.ok) return;
    form.reset();
    setNotice(`${res.data.chair.name} added.`);
    router.refresh();
  }

  async function change(chair: ChairDto, body: { name?: string; active?: boolean }, done: string) {
    setNotice(null);
    const res = await rowAction.submit<{ chair: ChairDto }>(`/api/admin/chairs/${chair.id}`, body, { schema: UpdateChairSchema });
    if (!res?.ok) return;
    setRenaming(null);
    setNotice(done);
    router.refresh();
  }

  return (
    <div className="space-y-6">
      <section className="card overflow-x-auto" aria-labelledby="chairs-h">
        <h2 id="chairs-h" className="mb-2 text-lg font-semibold">Chairs</h2>
        <p role="alert" className="field-error">{rowAction.formError}</p>
        {notice && <p role="status" className="mb-2 rounded-md bg-calm-50 p-2 text-sm">{notice}</p>}
        {chairs.length === 0 ? <p className="text-slate-600">No chairs yet: sessions start without one and show as unassigned on the board.</p> : (
          <div className="overflow-x-auto"><table className="table-dense">
            <thead><tr><th>Name</th><th>Status</th><th>Now</th><th>Actions</th></tr></thead>
            <tbody>
              {chairs.map((c) => (
                <tr key={c.id} className={c.active ? undefined : "text-slate-600"}>
                  <td className="font-medium">
                    {renaming === c.id ? (
                      <form className="flex items-end gap-2" onSubmit={(e) => { e.preventDefault(); void change(c, { name: String(new FormData(e.currentTarget).get("rename") ?? "") }, "Chair renamed."); }}>
                        <label className="sr-only" htmlFor={`rename-${c.id}`}>New name of {c.name}</label>
                        <input id={`rename-${c.id}`} name="rename" defaultValue={c.name} className="field-input mt-0 h-12" autoFocus />
                        <button type="submit" className="btn-primary min-h-12">Save</button>
                        <button type="button" className="btn-secondary min-h-12" onClick={() => setRenaming(null)}>Cancel</button>
                      </form>
                    ) : c.name}
                  </td>
                  <td>{c.active ? "active" : "deactivated"}</td>
                  <td>{c.runningSessionId ? <a className="font-semibold text-calm underline" href={`/sessions/${c.runningSessionId}`}>session running</a> : "free"}</td>
                  <td className="space-x-1 whitespace-nowrap">
                    {renaming !== c.id && <button type="button" className="btn-secondary min-h-12" aria-label={`Rename ${c.name}`} onClick={() => setRenaming(c.id)}>Rename</button>}
                    {c.active ? (
                      <button type="button" className="btn-secondary min-h-12" aria-label={`Deactivate ${c.name}`} disabled={c.runningSessionId !== null}
                        title={c.runningSessionId ? "A chair holding a running session cannot be deactivated" : undefined}
                        onClick={() => void change(c, { active: false }, `${c.name} is deactivated.`)}>Deactivate</button>
                    ) : (
                      <button type="button" className="btn-secondary min-h-12" aria-label={`Reactivate ${c.name}`} onClick={() => void change(c, { active: true }, `${c.name} is active again.`)}>Reactivate</button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table></div>
        )}
      </section>
      <section className="card" aria-labelledby="new-chair-h">
        <h2 id="new-chair-h" className="mb-2 text-lg font-semibold">Add a chair</h2>
        <form onSubmit={onCreate} noValidate className="grid gap-3 sm:grid-cols-2">
          <Field id="chair-name" label="Chair name" autoComplete="off" error={create.fieldErrors.name} hint="As the suite labels it, e.g. Chair 7." />
          <div className="sm:col-span-2">
            <p role="alert" className="field-error">{create.formError}</p>
            <button type="submit" className="btn-primary min-h-12" disabled={create.pending}>{create.pending ? "Adding…" : "Add chair"}</button>
          </div>
        </form>
      </section>
    </div>
  );
}
