"use client";
import { useEffect, useRef } from "react";
import { TextField } from "@/app/_components/forms/fields";
import type { QueuedEntry } from "@/lib/client/offline-queue";
import { formatDateHm, formatHm } from "./clinic-time";
import { QUEUED_KIND_LABEL, queuedValuesText } from "./queued-entry-text";

/** Shown at the top of a form that is correcting an earlier entry. */
export function CorrectionBanner({
  what, by, reason, onReason, error, onCancel, inputRef,
}: {
  what: string;
  by: string | null;
  reason: string;
  onReason: (v: string) => void;
  error?: string;
  onCancel: () => void;
  inputRef: React.RefObject<(HTMLInputElement & HTMLTextAreaElement) | null>;
}) {
  useEffect(() => {
    inputRef.current?.scrollIntoView({ block: "center" });
    inputRef.current?.focus();
  }, [inputRef]);
  return (
    <div className="space-y-2 rounded-md border-2 border-calm bg-calm-50 p-3">
      <p className="text-sm">
        Correcting <strong>{what}</strong>{by ? <> charted by {by}</> : null}. The original stays in the chart, struck through, with your reason.
      </p>
      <TextField ref={inputRef} label="Correction reason" value={reason} onChange={onReason} error={error} required multiline />
      <button type="button" className="btn-secondary" onClick={onCancel}>Cancel correction</button>
    </div>
  );
}

/**
 * Shown at the top of a form charting again an entry the server refused at sync
 * (docs/decisions/0017-offline-charting.md): which entry, the server's words, and a way out
 * that leaves the refused entry where it was. It takes the focus, so the nurse (and a screen
 * reader) lands on it after pressing "Edit in the form" in the panel above.
 */
export function RechartingBanner({ entry, timeZone, onCancel }: { entry: QueuedEntry; timeZone: string; onCancel: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.scrollIntoView({ block: "center" });
    ref.current?.focus();
  }, []);
  const fields = Object.entries(entry.refusal?.fields ?? {});
  return (
    <div ref={ref} id={RECHARTING_BANNER_ID} tabIndex={-1} data-testid="recharting-banner" className="space-y-2 rounded-md border-2 border-hard bg-hard-50 p-3 text-sm">
      <p>
        Charting again <strong>{QUEUED_KIND_LABEL[entry.kind]} at {formatHm(Date.parse(entry.body.at), timeZone)}</strong> ({queuedValuesText(entry)}),
        saved on this device {formatDateHm(entry.queuedAtMs, timeZone)} and refused by the server at sync.
      </p>
      <p className="font-semibold text-hard">Server: {entry.refusal?.message ?? "refused"}</p>
      {fields.length > 0 && <ul className="list-disc pl-5">{fields.map(([f, m]) => <li key={f}>{f}: {m}</li>)}</ul>}
      <p>
        Its values and its time are loaded below. Change what needs changing and save: this entry then replaces the refused one.
        Until then the refused entry stays under &ldquo;Needs attention&rdquo;.
      </p>
      <button type="button" className="btn-secondary" onClick={onCancel}>Cancel charting again</button>
    </div>
  );
}

/** The banner's id: the offline panel brings the nurse back to it. */
export const RECHARTING_BANNER_ID = "recharting-banner";
