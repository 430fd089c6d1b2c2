"use client";
import { forwardRef, useId } from "react";
import type { FlagDraft, FlagSeverity } from "@/lib/domain/flags";
import { FLAG_LABELS, type FlagCode } from "@/lib/domain/flags";

/** Error text beside an input. Always rendered, so the live region exists before the message. */
export function FieldError({ id, message }: { id: string; message?: string }) {
  return (
    <div id={id} aria-live="polite">
      {message && <p className="field-error">⚠ {message}</p>}
    </div>
  );
}

type TextFieldProps = {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  hint?: React.ReactNode;
  /** live calculation shown under the input (mg/h, mL/h ...) */
  calc?: React.ReactNode;
  unit?: string;
  inputMode?: React.HTMLAttributes<HTMLInputElement>["inputMode"];
  required?: boolean;
  className?: string;
  autoComplete?: string;
  onBlur?: () => void;
  tone?: "normal" | "soft" | "hard";
  multiline?: boolean;
  id?: string;
};

/** A labelled text input; errors and hints are tied to it with aria-describedby. */
export const TextField = forwardRef<HTMLInputElement & HTMLTextAreaElement, TextFieldProps>(function TextField(
  { label, value, onChange, error, hint, calc, unit, inputMode, required, className, autoComplete = "off", onBlur, tone = "normal", multiline, id: givenId },
  ref,
) {
  const autoId = useId();
  const id = givenId ?? autoId;
  const errorId = `${id}-err`;
  const hintId = `${id}-hint`;
  const calcId = `${id}-calc`;
  const describedBy = [error ? errorId : null, hint ? hintId : null, calc ? calcId : null].filter(Boolean).join(" ") || undefined;
  const toneClass = tone === "hard" ? "border-hard border-2" : tone === "soft" ? "border-soft border-2" : "";
  const common = {
    id,
    value,
    onChange: (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => onChange(e.target.value),
    onBlur,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": describedBy,
    "aria-required": required || undefined,
    className: `field-input ${toneClass}`,
    autoComplete,
  } as const;
  return (
    <div className={className}>
      <label htmlFor={id} className="field-label">{label}</label>
      <div className="flex items-center gap-2">
        {multiline ? (
          <textarea ref={ref} rows={2} {...common} className={`${common.className} py-2`} />
        ) : (
          <input ref={ref} type="text" inputMode={inputMode} {...common} />
        )}
        {unit && <span className="mt-1 shrink-0 text-sm text-slate-600" aria-hidden="true">{unit}</span>}
      </div>
      {calc && <p id={calcId} className="live-calc" aria-live="polite">{calc}</p>}
      {hint && <p id={hintId} className="mt-1 text-xs text-slate-600">{hint}</p>}
      <FieldError id={errorId} message={error} />
    </div>
  );
});

export function CheckboxField({ label, checked, onChange, error, hint }: { label: string; checked: boolean; onChange: (v: boolean) => void; error?: string; hint?: React.ReactNode }) {
  const id = useId();
  return (
    <div>
      <div className="flex items-start gap-3">
        <input
          id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)}
          className="mt-0.5 h-7 w-7 shrink-0 accent-[#0f5c73]"
          aria-invalid={error ? true : undefined}
          aria-describedby={[error ? `${id}-err` : null, hint ? `${id}-hint` : null].filter(Boolean).join(" ") || undefined}
        />
        <label htmlFor={id} className="pt-1 text-base font-medium">{label}</label>
      </div>
      {hint && <p id={`${id}-hint`} className="ml-10 text-xs text-slate-600">{hint}</p>}
      <div className="ml-10"><FieldError id={`${id}-err`} message={error} /></div>
    </div>
  );
}

/** The form-level message of a failed request. */
export function FormAlert({ message }: { message: string | null }) {
  return (
    <div aria-live="assertive">
      {message && (
        <p role="alert" className="rounded-md border border-hard bg-white px-3 py-2 text-sm font-semibold text-hard">
          {message}
        </p>
      )}
    </div>
  );
}

export function SeverityBadge({ severity }: { severity: FlagSeverity }) {
  return severity === "HARD"
    ? <span className="sev-hard">■ Hard limit</span>
    : <span className="sev-soft">▲ Soft flag</span>;
}

export function flagLabel(code: string): string {
  return (FLAG_LABELS as Record<string, string>)[code as FlagCode] ?? code;
}

/**
 * The flags an entry would raise, computed in the browser with the server's rule engine
 * while the nurse types. Clinical flags, not validation errors: boxed, with the severity word.
 */
export function LiveFlags({ flags, title = "This entry will raise" }: { flags: FlagDraft[]; title?: string }) {
  return (
    <div aria-live="polite" data-testid="live-flags">
      {flags.length > 0 && (
        <div className="space-y-2">
          <p className="text-sm font-semibold">{title}:</p>
          <ul className="space-y-2">
            {flags.map((f, i) => (
              <li key={`${f.code}-${i}`} className={f.severity === "HARD" ? "flag-box-hard" : "flag-box-soft"}>
                <div className="flex flex-wrap items-center gap-2">
                  <SeverityBadge severity={f.severity} />
                  <span className="font-semibold">{flagLabel(f.code)}</span>
                </div>
                <p className="mt-1 tabular-nums">{f.valueText} <span className="text-xs">(limit {f.limitText})</span></p>
                <p className="mt-1">{f.message}</p>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
