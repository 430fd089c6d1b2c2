"use client";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { newIdempotencyKey, postJson } from "@/app/_components/api";
import { fieldMessages } from "@/lib/validation/common";
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
  const [fields, setFields] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [key, setKey] = useState(() => newIdempotencyKey("close"));

  if (!open)
    return (
      <button type="button" className="btn-secondary" onClick={() => setOpen(true)} aria-label={`End series ${label}`}>
        End series…
      </button>
    );

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const parsed = CloseSeriesSchema.safeParse({ outcome, reason: reason.trim() || undefined });
    if (!parsed.success) {
      setFields(fieldMessages(parsed.error.issues));
      setFormError("Check the highlighted field.");
      return;
    }
    setPending(true);
    const res = await postJson<{ series: { status: string } }>(`/api/series/${seriesId}/close`, parsed.data, { idempotencyKey: key, signedOut: "redirect" });
    setPending(false);
    if (!res.ok) {
      setFields(res.error.fields ?? {});
      setFormError(res.error.message);
      return;
    }
    setKey(newIdempotencyKey("close"));
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
          aria-describedby={`${id}-reason-error`}
        />
        <p id={`${id}-reason-error`} aria-live="polite" className="field-error">{fields.reason}</p>
      </div>
      <p className="text-xs text-slate-600">An ended series takes no new sessions and cannot be reopened; a new course is a new series.</p>
      <div className="flex gap-2">
        <button type="submit" className="btn-primary" disabled={pending}>{pending ? "Saving…" : "End series"}</button>
        <button type="button" className="btn-secondary" onClick={() => { setOpen(false); setFormError(null); setFields({}); }}>Keep it active</button>
      </div>
    </form>
  );
}
