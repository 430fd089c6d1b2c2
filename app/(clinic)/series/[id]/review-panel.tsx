"use client";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { useMutation } from "@/app/_components/data/use-mutation";
import { FieldError, FormAlert } from "@/app/_components/forms/fields";
import { SignReviewSchema } from "@/lib/validation/review";

export interface ReviewEntry {
  id: string;
  note: string;
  sessionId: string | null;
  sessionSequence: number | null;
  author: string;
  signedAt: string | null;
  addendumToId: string | null;
}

/**
 * Signed reviews (locked, with their addenda) and, for a physician, the form to sign the
 * series review or a session's review, or to add an addendum to a signed one.
 */
export function ReviewPanel({
  seriesId, reviews, canSign, sessions, when,
}: {
  seriesId: string;
  reviews: ReviewEntry[];
  canSign: boolean;
  sessions: { id: string; sequence: number; date: string; reviewable: boolean }[];
  when: Record<string, string>;
}) {
  const router = useRouter();
  const noteId = useId();
  const scopeId = useId();
  const [note, setNote] = useState("");
  const [scope, setScope] = useState<string>("series");
  const { submit: send, pending: busy, fieldErrors, formError, error } = useMutation();
  const roots = reviews.filter((r) => !r.addendumToId);
  const signedFor = (sessionId: string | null) => roots.find((r) => r.signedAt && r.sessionId === sessionId);
  const target = scope === "series" ? signedFor(null) : scope.startsWith("session:") ? signedFor(scope.slice(8)) : undefined;
  const isAddendum = target !== undefined;

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const body = target ? { note, addendumToId: target.id } : scope === "series" ? { note } : { note, sessionId: scope.slice(8) };
    // one key per review: pressing sign again after a lost connection cannot store it twice
    const res = await send(`/api/series/${seriesId}/reviews`, body, { schema: SignReviewSchema });
    if (!res?.ok) return;
    setNote("");
    router.refresh();
  }

  return (
    <div className="space-y-3">
      {roots.length === 0 ? <p className="text-sm text-slate-600">No signed review yet.</p> : (
        <ul className="space-y-3" aria-label="Signed reviews">
          {roots.map((r) => (
            <li key={r.id} className="rounded-md border border-slate-200 p-3" data-testid="signed-review">
              <p className="text-xs font-semibold uppercase tracking-wide text-slate-600">
                {r.sessionSequence ? `Session ${r.sessionSequence} review` : "Series review"} · signed by {r.author} · {when[r.id]} · <span className="rounded bg-slate-100 px-1 text-slate-700">locked</span>
              </p>
              <p className="mt-1 whitespace-pre-wrap">{r.note}</p>
              {reviews.filter((a) => a.addendumToId === r.id).map((a) => (
                <div key={a.id} className="mt-2 border-l-4 border-calm pl-3" data-testid="review-addendum">
                  <p className="text-xs font-semibold uppercase tracking-wide text-slate-600">Addendum · {a.author} · {when[a.id]}</p>
                  <p className="whitespace-pre-wrap">{a.note}</p>
                </div>
              ))}
            </li>
          ))}
        </ul>
      )}
      {canSign && (
        <form onSubmit={submit} className="space-y-2" aria-label="Sign a review">
          <label htmlFor={scopeId} className="field-label">Review of</label>
          <select id={scopeId} className="field-input h-10" value={scope} onChange={(e) => setScope(e.target.value)}>
            <option value="series">The whole series{signedFor(null) ? " (signed: addendum)" : ""}</option>
            {sessions.filter((s) => s.reviewable).map((s) => (
              <option key={s.id} value={`session:${s.id}`}>Session {s.sequence} ({s.date}){signedFor(s.id) ? " (signed: addendum)" : ""}</option>
            ))}
          </select>
          <label htmlFor={noteId} className="field-label">{isAddendum ? "Addendum" : "Review note"}</label>
          <textarea id={noteId} className="field-input min-h-28 py-2" value={note} onChange={(e) => setNote(e.target.value)}
            aria-invalid={fieldErrors.note ? true : undefined} aria-describedby={fieldErrors.note ? `${noteId}-error` : undefined}
            placeholder={isAddendum ? "The signed review is locked: later thoughts go here." : "Response, dose, tolerability, schedule; plan."} />
          <FieldError id={`${noteId}-error`} message={fieldErrors.note} />
          <FormAlert message={formError} error={error} />
          <button type="submit" className="btn-primary" disabled={busy}>{isAddendum ? "Sign addendum" : "Sign review"}</button>
          <p className="text-xs text-slate-600">Signing locks the note; it is audited with your name and the time.</p>
        </form>
      )}
    </div>
  );
}
