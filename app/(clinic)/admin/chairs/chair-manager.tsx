"use client";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
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

  // The order of the active chairs (the board's "by chair" sort, the start form): the list
  // shows them first, in that order, so a chair's place is its index among them.
  const activeCount = chairs.filter((c) => c.active).length;
  // After a move the row is re-rendered in its new place: keep the keyboard focus on its
  // button (or on the other one when it reached the end and its own is disabled).
  const [focusAfterMove, setFocusAfterMove] = useState<{ id: string; dir: "up" | "down" } | null>(null);
  useEffect(() => {
    if (!focusAfterMove) return;
    const own = document.querySelector<HTMLButtonElement>(`[data-move="${focusAfterMove.id}-${focusAfterMove.dir}"]`);
    const other = document.querySelector<HTMLButtonElement>(`[data-move="${focusAfterMove.id}-${focusAfterMove.dir === "up" ? "down" : "up"}"]`);
    (own && !own.disabled ? own : other)?.focus();
  }, [chairs, focusAfterMove]);

  async function change(chair: ChairDto, body: { name?: string; active?: boolean; position?: number }, done: string) {
    setNotice(null);
    if (body.position === undefined) setFocusAfterMove(null);
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
            <thead><tr><th>Order</th><th>Name</th><th>Status</th><th>Now</th><th>Actions</th></tr></thead>
            <tbody>
              {chairs.map((c, i) => (
                <tr key={c.id} className={c.active ? undefined : "text-slate-600"} data-testid="chair-row">
                  <td className="whitespace-nowrap">
                    {c.active ? (
                      <span className="inline-flex items-center gap-1">
                        <span className="w-6 tabular-nums">{i + 1}</span>
                        <button type="button" className="btn-secondary min-h-12 min-w-12" aria-label={`Move ${c.name} up`} disabled={i === 0} data-move={`${c.id}-up`}
                          onClick={() => { setFocusAfterMove({ id: c.id, dir: "up" }); void change(c, { position: i }, `${c.name} moved up to place ${i}.`); }}>↑</button>
                        <button type="button" className="btn-secondary min-h-12 min-w-12" aria-label={`Move ${c.name} down`} disabled={i === activeCount - 1} data-move={`${c.id}-down`}
                          onClick={() => { setFocusAfterMove({ id: c.id, dir: "down" }); void change(c, { position: i + 2 }, `${c.name} moved down to place ${i + 2}.`); }}>↓</button>
                      </span>
                    ) : <span className="text-sm">not in the order</span>}
                  </td>
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
