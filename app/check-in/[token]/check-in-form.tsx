"use client";
import { useState } from "react";
import { useMutation } from "@/app/_components/data/use-mutation";
import { FieldError } from "@/app/_components/forms/fields";
import { CHECK_IN_NOTE_MAX_CHARS } from "@/lib/domain/check-in";
import { CheckInSchema } from "@/lib/validation/check-in";

const SCORES = Array.from({ length: 11 }, (_, n) => n);
const SEVERITIES = [
  { value: 1, label: "Mild" },
  { value: 2, label: "Moderate" },
  { value: 3, label: "Severe" },
] as const;

type Answer = { checkIn: { day: string; late: boolean; lateFor: string | null }; severe: boolean; clinicPhone: string };

/** One 0-10 question as large native radios (keyboard arrows work, each target ≥ 48 px). */
function Scale({ id, legend, low, high, value, onChange, error }: { id: string; legend: string; low: string; high: string; value: number | null; onChange: (n: number) => void; error?: string }) {
  return (
    <fieldset className="card space-y-2" aria-describedby={`${id}-error`}>
      <legend className="text-lg font-semibold">{legend}</legend>
      <p className="flex justify-between text-sm text-slate-600" aria-hidden="true"><span>0 = {low}</span><span>10 = {high}</span></p>
      <div className="seg" role="radiogroup" aria-label={legend}>
        {SCORES.map((n) => (
          <label key={n} className="seg-item">
            <input type="radio" name={id} value={n} checked={value === n} onChange={() => onChange(n)} aria-label={`${n}${n === 0 ? ` (${low})` : n === 10 ? ` (${high})` : ""}`} />
            <span aria-hidden="true">{n}</span>
          </label>
        ))}
      </div>
      <FieldError id={`${id}-error`} message={error} />
    </fieldset>
  );
}

export function CheckInForm({ token, sideEffectKinds, lateFor, clinicPhone }: { token: string; sideEffectKinds: { code: string; label: string }[]; lateFor: string | null; clinicPhone: string }) {
  const [painNrs, setPain] = useState<number | null>(null);
  const [enjoymentNrs, setEnjoyment] = useState<number | null>(null);
  const [activityNrs, setActivity] = useState<number | null>(null);
  // null = ticked, severity not chosen yet: never assumed mild, so a severe effect is not sent as mild
  const [effects, setEffects] = useState<Record<string, number | null>>({});
  const [note, setNote] = useState("");
  const [done, setDone] = useState<Answer | null>(null);
  const { submit, pending, fieldErrors, formError } = useMutation();
  const anySevere = Object.values(effects).some((s) => s !== null && s >= 3);
  const ticked = Object.keys(effects);

  if (done) {
    return (
      <div className="card space-y-3" role="status" data-testid="check-in-thanks">
        <h2 className="text-xl font-bold">Thank you, your check-in is sent.</h2>
        {done.checkIn.late && done.checkIn.lateFor && <p>It is recorded for today ({done.checkIn.day}), in place of the one due on {done.checkIn.lateFor}.</p>}
        {done.severe && <SevereAdvice phone={done.clinicPhone} />}
      </div>
    );
  }

  async function onSubmit(e: React.FormEvent) {
    e.preventDefault();
    const body = {
      painNrs, enjoymentNrs, activityNrs,
      sideEffects: ticked.map((kind) => ({ kind, severity: effects[kind] })),
      ...(note.trim() ? { note: note.trim() } : {}),
    };
    const result = await submit<Answer>(`/api/check-in/${token}`, body, { schema: CheckInSchema });
    if (result?.ok) setDone(result.data);
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      {lateFor && <p className="card text-base">We missed your check-in of {lateFor}. You can still send one today.</p>}
      <Scale id="painNrs" legend="What is your pain right now?" low="no pain" high="pain as bad as you can imagine" value={painNrs} onChange={setPain} error={fieldErrors.painNrs} />
      <Scale id="enjoymentNrs" legend="Since your last treatment, how much has pain got in the way of enjoying life?" low="not at all" high="completely" value={enjoymentNrs} onChange={setEnjoyment} error={fieldErrors.enjoymentNrs} />
      <Scale id="activityNrs" legend="Since your last treatment, how much has pain got in the way of your general activity?" low="not at all" high="completely" value={activityNrs} onChange={setActivity} error={fieldErrors.activityNrs} />
      <fieldset className="card space-y-2">
        <legend className="text-lg font-semibold">Any side effects since your last treatment?</legend>
        <p className="text-sm text-slate-600">Tick each one you had and choose how bad it was. Leave all empty if none.</p>
        <ul className="space-y-2">
          {sideEffectKinds.map((k) => {
            const checked = effects[k.code] !== undefined;
            return (
              <li key={k.code} className="rounded-md border border-slate-200 p-2">
                <label className="flex min-h-12 items-center gap-3 text-base">
                  <input type="checkbox" className="h-6 w-6" checked={checked}
                    onChange={(e) => setEffects((prev) => { const next = { ...prev }; if (e.target.checked) next[k.code] = null; else delete next[k.code]; return next; })} />
                  {k.label}
                </label>
                {checked && (
                  <div className="seg mt-2" role="radiogroup" aria-label={`How bad was it: ${k.label}`} aria-describedby={`sev-${k.code}-error`}>
                    {SEVERITIES.map((s) => (
                      <label key={s.value} className="seg-item">
                        <input type="radio" name={`sev-${k.code}`} checked={effects[k.code] === s.value} onChange={() => setEffects((prev) => ({ ...prev, [k.code]: s.value }))} aria-label={`${k.label}: ${s.label}`} />
                        <span aria-hidden="true">{s.label}</span>
                      </label>
                    ))}
                  </div>
                )}
                {checked && <FieldError id={`sev-${k.code}-error`} message={fieldErrors[`sideEffects.${ticked.indexOf(k.code)}.severity`]} />}
              </li>
            );
          })}
        </ul>
        <FieldError id="sideEffects-error" message={fieldErrors.sideEffects} />
      </fieldset>
      {anySevere && <SevereAdvice phone={clinicPhone} />}
      <div className="card">
        <label htmlFor="note" className="text-lg font-semibold">Anything else you want your care team to know? (optional)</label>
        <textarea id="note" className="field-input mt-2 min-h-24 py-2" maxLength={CHECK_IN_NOTE_MAX_CHARS} value={note} onChange={(e) => setNote(e.target.value)} aria-describedby="note-error" />
        <FieldError id="note-error" message={fieldErrors.note} />
      </div>
      <FieldError id="form-error" message={formError && !Object.keys(fieldErrors).length ? formError : undefined} />
      <button type="submit" className="btn-primary min-h-14 w-full text-lg" disabled={pending}>{pending ? "Sending…" : "Send my check-in"}</button>
    </form>
  );
}

function SevereAdvice({ phone }: { phone: string }) {
  return (
    <div className="flag-box-hard space-y-1 text-base" role="alert" data-testid="severe-advice">
      <p className="font-bold">A severe side effect needs attention.</p>
      <p>If you are in danger or it is an emergency, call your local emergency number now.</p>
      {phone ? <p>Otherwise call the clinic today: <a className="font-bold underline" href={`tel:${phone.replace(/[^+\d]/g, "")}`}>{phone}</a>.</p> : <p>Otherwise call the clinic today.</p>}
    </div>
  );
}
