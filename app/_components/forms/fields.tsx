"use client";
import { cloneElement, forwardRef, isValidElement, useId } from "react";
import type { InputHTMLAttributes, ReactElement, ReactNode } from "react";
import { useRouter } from "next/navigation";
import { needsReload, type ApiError } from "@/lib/client/api-error";

/**
 * The one field kit of every form. Each field: a <label> tied to its control, the hint and
 * the error tied with aria-describedby, aria-invalid while an error shows, the error in a
 * live region that exists before the message (so screen readers announce it), and a
 * quantity's unit printed beside the input (aria-hidden: the label already names it).
 * Numbers typed into these fields are read with parseNumberInput (lib/validation/number-input.ts).
 */

/** The ids of the hint/error/calc elements actually shown, or nothing. */
const describedBy = (...parts: [id: string, shown: unknown][]) => parts.filter(([, shown]) => Boolean(shown)).map(([id]) => id).join(" ") || undefined;
const errorIdOf = (id: string) => `${id}-error`;
const hintIdOf = (id: string) => `${id}-hint`;

/** Error text beside a control. Always rendered, so the live region exists before the message. */
export function FieldError({ id, message, className }: { id: string; message?: string; className?: string }) {
  return (
    <div id={id} aria-live="polite" className={className}>
      {message && <p className="field-error">⚠ {message}</p>}
    </div>
  );
}

function Hint({ id, hint, className = "mt-1 text-xs text-slate-600" }: { id: string; hint?: ReactNode; className?: string }) {
  return hint ? <p id={id} className={className}>{hint}</p> : null;
}

function Unit({ unit }: { unit?: string }) {
  return unit ? <span className="mt-1 shrink-0 text-sm text-slate-600" aria-hidden="true">{unit}</span> : null;
}

type ControlProps = { "aria-invalid"?: boolean; "aria-describedby"?: string };

/**
 * A field read from the form's FormData on submit (uncontrolled, `name` = `id`), or around a
 * control given as its child (a <select>, a <textarea>), which gets the same aria wiring.
 */
export function Field({
  id, label, error, hint, unit, children, ...input
}: { id: string; label: string; error?: string; hint?: ReactNode; unit?: string; children?: ReactNode } & InputHTMLAttributes<HTMLInputElement>) {
  const aria: ControlProps = { "aria-invalid": error ? true : undefined, "aria-describedby": describedBy([errorIdOf(id), error], [hintIdOf(id), hint]) };
  const control = isValidElement(children)
    ? cloneElement(children as ReactElement<ControlProps>, aria)
    : children ?? <input id={id} name={id} className="field-input" {...aria} {...input} />;
  return (
    <div>
      <label htmlFor={id} className="field-label">{label}</label>
      {unit ? <div className="flex items-center gap-2">{control}<Unit unit={unit} /></div> : control}
      <Hint id={hintIdOf(id)} hint={hint} />
      <FieldError id={errorIdOf(id)} message={error} />
    </div>
  );
}

type TextFieldProps = {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  hint?: ReactNode;
  /** live calculation shown under the input (mg/h, mL/h ...) */
  calc?: ReactNode;
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

/** A controlled text input (or textarea) holding what was typed, as typed. */
export const TextField = forwardRef<HTMLInputElement & HTMLTextAreaElement, TextFieldProps>(function TextField(
  { label, value, onChange, error, hint, calc, unit, inputMode, required, className, autoComplete = "off", onBlur, tone = "normal", multiline, id: givenId },
  ref,
) {
  const autoId = useId();
  const id = givenId ?? autoId;
  const calcId = `${id}-calc`;
  const toneClass = tone === "hard" ? "border-hard border-2" : tone === "soft" ? "border-soft border-2" : "";
  const common = {
    id,
    value,
    onChange: (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => onChange(e.target.value),
    onBlur,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": describedBy([errorIdOf(id), error], [hintIdOf(id), hint], [calcId, calc]),
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
        <Unit unit={unit} />
      </div>
      {calc && <p id={calcId} className="live-calc" aria-live="polite">{calc}</p>}
      <Hint id={hintIdOf(id)} hint={hint} />
      <FieldError id={errorIdOf(id)} message={error} />
    </div>
  );
});

/** A controlled <select> with its label, hint and error. */
export function SelectField({ id, label, value, onChange, error, children, hint }: { id: string; label: string; value: string; onChange: (v: string) => void; error?: string; children: ReactNode; hint?: ReactNode }) {
  return (
    <div>
      <label htmlFor={id} className="field-label">{label}</label>
      <select
        id={id} value={value} onChange={(e) => onChange(e.target.value)} className="field-input"
        aria-invalid={error ? true : undefined} aria-describedby={describedBy([errorIdOf(id), error], [hintIdOf(id), hint])}
      >
        {children}
      </select>
      <Hint id={hintIdOf(id)} hint={hint} />
      <FieldError id={errorIdOf(id)} message={error} />
    </div>
  );
}

export function CheckboxField({ label, checked, onChange, error, hint }: { label: string; checked: boolean; onChange: (v: boolean) => void; error?: string; hint?: ReactNode }) {
  const id = useId();
  return (
    <div>
      <div className="flex items-start gap-3">
        <input
          id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)}
          className="mt-0.5 h-7 w-7 shrink-0 accent-[#0f5c73]"
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy([errorIdOf(id), error], [hintIdOf(id), hint])}
        />
        <label htmlFor={id} className="pt-1 text-base font-medium">{label}</label>
      </div>
      <Hint id={hintIdOf(id)} hint={hint} className="ml-10 text-xs text-slate-600" />
      <FieldError id={errorIdOf(id)} message={error} className="ml-10" />
    </div>
  );
}

/**
 * The form-level message of a failed request. Given the error itself, a conflict (the record
 * changed under the user) offers to reload the page's data; the typed input stays.
 */
export function FormAlert({ message, error }: { message: string | null; error?: ApiError | null }) {
  const router = useRouter();
  return (
    <div aria-live="assertive">
      {message && (
        <div role="alert" className="rounded-md border border-hard bg-white px-3 py-2 text-sm font-semibold text-hard">
          <p>{message}</p>
          {error && needsReload(error) && (
            <button type="button" className="btn-secondary mt-2" onClick={() => router.refresh()}>Reload the latest data</button>
          )}
        </div>
      )}
    </div>
  );
}
