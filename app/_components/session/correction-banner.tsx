"use client";
import { useEffect } from "react";
import { TextField } from "@/app/_components/forms/fields";

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
