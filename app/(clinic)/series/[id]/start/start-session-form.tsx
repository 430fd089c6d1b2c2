"use client";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { useMutation } from "@/app/_components/data/use-mutation";
import { CheckboxField, FormAlert, TextField } from "@/app/_components/forms/fields";
import { LiveFlags } from "@/app/_components/session/flag-display";
import { fieldErrorsOf, readNumber } from "@/app/_components/session/rows";
import type { FlagDraft } from "@/lib/domain/flags";
import { formatKg, gFromLb, kgFromLb } from "@/lib/domain/units";
import { StartSessionSchema } from "@/lib/validation/session";

type Unit = "kg" | "lb";
type Started = { session: { id: string }; flags: FlagDraft[] };

/** Today's weight (kg, or lb converted live), the bag's concentration and the pre-infusion checks. */
export function StartSessionForm({ seriesId, lastWeight }: { seriesId: string; lastWeight: string | null }) {
  const router = useRouter();
  const [unit, setUnit] = useState<Unit>("kg");
  const [weightText, setWeightText] = useState("");
  const [concentrationText, setConcentrationText] = useState("");
  const [consent, setConsent] = useState(false);
  const [screening, setScreening] = useState(false);
  const [submitted, setSubmitted] = useState(false);
  const [started, setStarted] = useState<Started | null>(null);
  const { submit, pending, formError, fieldErrors: serverErrors, error: submitError } = useMutation();
  const continueRef = useRef<HTMLAnchorElement>(null);
  useEffect(() => { if (started) continueRef.current?.focus(); }, [started]);

  const typed = readNumber(weightText);
  // lb -> kg rounded once to the 0.1 kg the session stores (lib/domain/units)
  const lbOk = unit === "lb" && typed !== undefined && Number.isFinite(typed) && typed > 0;
  const weightKg = unit === "kg" ? typed : lbOk ? kgFromLb(typed) : typed;
  const body = {
    ...(weightKg !== undefined ? { weightKg } : {}),
    ...(readNumber(concentrationText) !== undefined ? { concentrationMgPerMl: readNumber(concentrationText) } : {}),
    consentConfirmed: consent,
    screeningReviewed: screening,
  };
  const parsed = StartSessionSchema.safeParse(body);
  const errors = parsed.success ? {} : fieldErrorsOf(parsed.error.issues);
  if (weightKg === undefined) errors.weightKg = "enter today's weight";
  if (readNumber(concentrationText) === undefined) errors.concentrationMgPerMl = "enter the bag's concentration";
  if (!consent) errors.consentConfirmed = "confirm that consent is on file";
  if (!screening) errors.screeningReviewed = "confirm that the screening was reviewed";
  const shown = (f: string) => serverErrors[f] ?? (submitted ? errors[f] : undefined);
  const weightError = shown("weightKg");

  async function onSubmit(e: React.FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    if (Object.keys(errors).length > 0) return;
    const result = await submit<Started>(`/api/series/${seriesId}/sessions`, body, { schema: StartSessionSchema });
    if (!result?.ok) return;
    if (result.data.flags.length === 0) router.push(`/sessions/${result.data.session.id}`);
    else setStarted(result.data);
  }

  if (started) {
    return (
      <section className="card space-y-3" aria-labelledby="started-h">
        <h2 id="started-h" className="text-lg font-semibold">Session started, with {started.flags.length} flag{started.flags.length > 1 ? "s" : ""}</h2>
        <LiveFlags flags={started.flags} title="Starting this session raised" />
        <a ref={continueRef} href={`/sessions/${started.session.id}`} className="btn-primary min-h-12 px-6 text-base">Continue to the session chart</a>
      </section>
    );
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="start-h" className="card space-y-4">
      <h2 id="start-h" className="text-lg font-semibold">Before the infusion</h2>
      <fieldset>
        <legend className="field-label mb-1">Weight unit</legend>
        <div className="seg">
          {(["kg", "lb"] as const).map((u) => (
            <label key={u} className="seg-item">
              <input type="radio" name="weight-unit" checked={unit === u} onChange={() => { setUnit(u); setWeightText(""); }} />
              <span>{u}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <TextField
        key={unit}
        label={unit === "kg" ? "Weight (kg)" : "Weight (lb)"}
        value={weightText}
        onChange={setWeightText}
        inputMode="decimal"
        unit={unit}
        error={weightError}
        calc={lbOk ? `${typed} lb = ${formatKg(gFromLb(typed))} kg` : undefined}
        hint={<>Weigh the patient today: doses are calculated from this weight for the whole session.{lastWeight ? ` Last recorded: ${lastWeight}.` : ""}</>}
      />
      <TextField
        label="Concentration (mg/mL)" value={concentrationText} onChange={setConcentrationText} inputMode="decimal" unit="mg/mL"
        error={shown("concentrationMgPerMl")} hint="Ketamine concentration of the prepared bag or syringe, as labelled."
      />
      <fieldset className="space-y-3">
        <legend className="field-label mb-1">Pre-infusion checklist</legend>
        <CheckboxField label="Consent confirmed" checked={consent} onChange={setConsent} error={shown("consentConfirmed")} hint="Signed consent for ketamine infusion is on file." />
        <CheckboxField label="Screening reviewed" checked={screening} onChange={setScreening} error={shown("screeningReviewed")} hint="Substance misuse, psychosis, cardiovascular and hepatic history, interacting medications." />
        <p className="rounded-md bg-calm-50 px-3 py-2 text-sm">
          Baseline vitals and the baseline (before) pain score are charted as the first entries on the session screen, before the START.
        </p>
      </fieldset>
      <FormAlert message={formError} error={submitError} />
      <button type="submit" className="btn-primary min-h-12 px-6 text-base" disabled={pending}>{pending ? "Starting…" : "Start session"}</button>
    </form>
  );
}
