"use client";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { useMutation } from "@/app/_components/data/use-mutation";
import { FieldError } from "@/app/_components/forms/fields";
import { CloseSeriesSchema } from "@/lib/validation/series";

/**
 * A physician ends an active series: completed, or cancelled with a reason. Folded away
 * behind a button so it is never pressed by accident beside "Review series".
 */
export function EndSeriesForm({ seriesId, label }: { seriesId: string; label: string }) {
  const router = useRouter();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [outcome, setOutcome] = useState<"COMPLETED" | "CANCELLED">("COMPLETED");
  const [reason, setReason] = useState("");
  const { submit, pending, fieldErrors: fields, formError, clearError } = useMutation();

  if (!open)
    return (
      <button type="button" className="btn-secondary" onClick={() => setOpen(true)} aria-label={`End series ${label}`}>
        End series…
      </button>
    );

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const res = await submit<{ series: { status: string } }>(`/api/series/${seriesId}/close`, { outcome, reason: reason.trim() || undefined }, { schema: CloseSeriesSchema });
    if (!res?.ok) return;
    setOpen(false);
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} noValidate className="w-full space-y-2 rounded-md border border-slate-300 p-3 text-sm" aria-label={`End series ${label}`}>
      {formError && <p role="alert" className="rounded-md bg-hard-50 p-2 font-medium text-hard">{formError}</p>}
      <fieldset>
        <legend className="field-label">End this series as</legend>
        <label className="mr-4 inline-flex items-center gap-1">
          <input type="radio" name={`${id}-outcome`} checked={outcome === "COMPLETED"} onChange={() => setOutcome("COMPLETED")} /> Completed
        </label>
        <label className="inline-flex items-center gap-1">
          <input type="radio" name={`${id}-outcome`} checked={outcome === "CANCELLED"} onChange={() => setOutcome("CANCELLED")} /> Cancelled
        </label>
      </fieldset>
      <div>
        <label htmlFor={`${id}-reason`} className="field-label">{outcome === "CANCELLED" ? "Reason (required)" : "Note (optional)"}</label>
        <input
          id={`${id}-reason`}
          className="field-input"
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          aria-invalid={fields.reason ? true : undefined}
          aria-describedby={fields.reason ? `${id}-reason-error` : undefined}
        />
        <FieldError id={`${id}-reason-error`} message={fields.reason} />
      </div>
      <p className="text-xs text-slate-600">An ended series takes no new sessions and cannot be reopened; a new course is a new series.</p>
      <div className="flex gap-2">
        <button type="submit" className="btn-primary" disabled={pending}>{pending ? "Saving…" : "End series"}</button>
        <button type="button" className="btn-secondary" onClick={() => { setOpen(false); clearError(); }}>Keep it active</button>
      </div>
    </form>
  );
}
