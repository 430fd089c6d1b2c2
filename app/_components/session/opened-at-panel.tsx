"use client";
import { useState } from "react";
import { FormAlert, TextField } from "@/app/_components/forms/fields";
import { useMutation } from "@/app/_components/data/use-mutation";
import { checkOpenedAt } from "@/lib/domain/guards";
import { MoveOpenedAtSchema } from "@/lib/validation/session";
import { formatDateHm, fromLocalInputValue, toLocalInputValue } from "./clinic-time";
import { useNow } from "./clock";
import { useSession } from "./session-context";

/**
 * Late documentation (decision 0009): the pump was started before the chart was opened, so
 * the nurse moves the opening time earlier, with a reason, and can then chart the true START.
 * The server checks the same rule (checkOpenedAt) and keeps the original opening in the audit trail.
 */
export function OpenedAtPanel() {
  const { chart, timeZone, onSaved } = useSession();
  const nowMs = useNow(15_000);
  const openedAtMs = Date.parse(chart.openedAt);
  const [open, setOpen] = useState(false);
  const [text, setText] = useState("");
  const [reason, setReason] = useState("");
  const [submitted, setSubmitted] = useState(false);
  const { submit, pending, fieldErrors, formError, error } = useMutation();
  const atMs = fromLocalInputValue(text, timeZone);
  const errors: Record<string, string> = {};
  if (atMs === null) errors.openedAt = "enter a date and a 24-hour time as YYYY-MM-DDTHH:MM";
  else {
    const e = checkOpenedAt({ openedAtMs: atMs, nowMs, lateEntryReason: reason, currentOpenedAtMs: openedAtMs });
    if (e) errors[e.field] = e.message;
  }
  const shown = (f: string) => fieldErrors[f] ?? (submitted ? errors[f] : undefined);

  async function onSubmit(e: React.FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    if (Object.keys(errors).length > 0 || atMs === null) return;
    const result = await submit(`/api/sessions/${chart.id}/opened-at`, { openedAt: new Date(atMs).toISOString(), lateEntryReason: reason.trim() }, { schema: MoveOpenedAtSchema });
    if (!result?.ok) return;
    setOpen(false);
    onSaved(`Opening time moved to ${formatDateHm(atMs, timeZone)}.`);
  }

  if (!open) {
    return (
      <button type="button" className="btn-secondary no-print" onClick={() => { setOpen(true); setText(toLocalInputValue(openedAtMs, timeZone)); }}>
        Documenting late? Move the opening time earlier
      </button>
    );
  }
  return (
    <form onSubmit={onSubmit} noValidate aria-label="Move the opening time earlier" className="card space-y-3 no-print">
      <h2 className="text-lg font-semibold">Move the opening time earlier</h2>
      <p className="text-sm">Opened at {formatDateHm(openedAtMs, timeZone)}. Entries can then be charted from the new time on (up to 7 days back); when the chart was really opened is kept.</p>
      <TextField label={`New opening time (clinic time, ${timeZone}, YYYY-MM-DDTHH:MM)`} value={text} onChange={setText} error={shown("openedAt")} />
      <TextField label="Late documentation reason" value={reason} onChange={setReason} error={shown("lateEntryReason")} required tone="soft" />
      <FormAlert message={formError} error={error} />
      <div className="flex gap-2">
        <button type="submit" className="btn-primary" disabled={pending}>{pending ? "Saving…" : "Move opening time"}</button>
        <button type="button" className="btn-secondary" onClick={() => setOpen(false)}>Cancel</button>
      </div>
    </form>
  );
}
