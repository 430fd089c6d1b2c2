"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useMutation } from "@/app/_components/data/use-mutation";
import { FormAlert } from "@/app/_components/forms/fields";
import type { SessionChair } from "@/lib/server/chairs";
import { MoveChairSchema } from "@/lib/validation/chairs";

/** The session's chair and, while it runs, a move to a free chair (audited with both chairs). */
export function ChairControl({ sessionId, chair }: { sessionId: string; chair: SessionChair }) {
  const router = useRouter();
  const move = useMutation();
  const [open, setOpen] = useState(false);
  const [target, setTarget] = useState("");
  const [reason, setReason] = useState("");
  const [notice, setNotice] = useState<string | null>(null);

  async function onMove(e: React.FormEvent) {
    e.preventDefault();
    const body = { chairId: target, ...(reason.trim() ? { reason } : {}) };
    const res = await move.submit<{ session: { chair: { name: string } } }>(`/api/sessions/${sessionId}/chair`, body, { schema: MoveChairSchema });
    if (!res?.ok) return;
    setNotice(`Moved to ${res.data.session.chair.name}.`);
    setOpen(false);
    setTarget("");
    setReason("");
    router.refresh();
  }

  return (
    <section aria-label="Chair" className="flex flex-wrap items-center gap-3 rounded-lg border border-slate-200 bg-white px-4 py-2" data-testid="session-chair">
      <p className="text-base">Chair: <strong>{chair.chair?.name ?? "none recorded"}</strong></p>
      {notice && <p role="status" className="text-sm text-calm">{notice}</p>}
      {chair.canMove && !open && (
        <button type="button" className="btn-secondary min-h-12" onClick={() => { setNotice(null); setOpen(true); }} disabled={chair.free.length === 0}>
          {chair.free.length === 0 ? "No free chair to move to" : "Move to another chair"}
        </button>
      )}
      {open && (
        <form onSubmit={onMove} className="flex flex-wrap items-end gap-2" aria-label="Move to another chair">
          <div>
            <label htmlFor="move-chair" className="field-label">New chair</label>
            <select id="move-chair" className="field-input h-12" value={target} onChange={(e) => setTarget(e.target.value)}>
              <option value="">Choose a free chair…</option>
              {chair.free.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
            </select>
          </div>
          <div>
            <label htmlFor="move-reason" className="field-label">Reason (optional)</label>
            <input id="move-reason" className="field-input h-12" value={reason} onChange={(e) => setReason(e.target.value)} />
          </div>
          <button type="submit" className="btn-primary min-h-12" disabled={move.pending || target === ""}>{move.pending ? "Moving…" : "Move"}</button>
          <button type="button" className="btn-secondary min-h-12" onClick={() => setOpen(false)}>Cancel</button>
          <div className="w-full"><FormAlert message={move.formError} error={move.error} /></div>
        </form>
      )}
    </section>
  );
}
