"use client";
import type { InputHTMLAttributes, ReactNode } from "react";

/** A labelled input with its error beside it (aria-describedby, aria-live). */
export function Field({ id, label, error, hint, children, ...input }: { id: string; label: string; error?: string; hint?: ReactNode; children?: ReactNode } & InputHTMLAttributes<HTMLInputElement>) {
  const describedBy = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div>
      <label htmlFor={id} className="field-label">{label}</label>
      {children ?? <input id={id} name={id} className="field-input" aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />}
      {hint && <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">{hint}</p>}
      <p id={`${id}-error`} aria-live="polite" className="field-error">{error}</p>
    </div>
  );
}

/** An empty field is "not given", never 0 (an empty dose must not become 0 mg). */
export function numberOrUndefined(v: FormDataEntryValue | null): number | undefined {
  if (v === null) return undefined;
  const s = String(v).trim();
  if (s === "") return undefined;
  const n = Number(s);
  return Number.isNaN(n) ? (s as unknown as number) : n;
}
