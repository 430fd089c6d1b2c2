"use client";
import { useRouter } from "next/navigation";
import { useMutation } from "@/app/_components/data/use-mutation";
import { Field } from "@/app/_components/forms/fields";
import { parseNumberInput } from "@/lib/validation/number-input";
import { SCREENING_LABELS } from "@/lib/domain/flags";
import { RegisterPatientSchema } from "@/lib/validation/patient";

const SCREEN_KEYS = ["substanceMisuse", "psychosis", "cardiovascular", "hepatic", "interactingMeds"] as const;

export function RegisterPatientForm() {
  const router = useRouter();
  const { submit, pending, fieldErrors: fields, formError } = useMutation();

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const answer = (k: string) => (f.get(k) === "yes" ? true : f.get(k) === "no" ? false : null);
    const raw = {
      mrn: String(f.get("mrn") ?? ""),
      givenName: String(f.get("givenName") ?? ""),
      familyName: String(f.get("familyName") ?? ""),
      birthDate: String(f.get("birthDate") ?? ""),
      sex: String(f.get("sex") ?? ""),
      allergies: String(f.get("allergies") ?? ""),
      weightKg: parseNumberInput(f.get("weightKg")),
      screening: { ...Object.fromEntries(SCREEN_KEYS.map((k) => [k, answer(`screen-${k}`)])), notes: String(f.get("screeningNotes") ?? "") },
      consentOnFile: f.get("consentOnFile") === "on",
      consentDate: String(f.get("consentDate") ?? "") || undefined,
    };
    const res = await submit<{ patient: { id: string } }>("/api/patients", raw, { schema: RegisterPatientSchema });
    if (!res?.ok) return;
    router.push(`/patients/${res.data.patient.id}`);
  }

  return (
    <form onSubmit={onSubmit} noValidate className="card space-y-4">
      <div aria-live="assertive">{formError && <p role="alert" className="rounded-md bg-hard-50 p-2 text-sm font-medium text-hard">{formError}</p>}</div>
      <div className="grid gap-3 sm:grid-cols-2">
        <Field id="mrn" label="MRN" error={fields.mrn} autoComplete="off" required />
        <Field id="birthDate" label="Birth date" type="date" error={fields.birthDate} required />
        <Field id="givenName" label="Given name" error={fields.givenName} required />
        <Field id="familyName" label="Family name" error={fields.familyName} required />
        <Field id="sex" label="Sex" error={fields.sex}>
          <select id="sex" name="sex" className="field-input" defaultValue="">
            <option value="" disabled>Choose…</option>
            <option value="FEMALE">Female</option><option value="MALE">Male</option>
            <option value="OTHER">Other</option><option value="UNKNOWN">Unknown</option>
          </select>
        </Field>
        <Field id="weightKg" label="Weight (kg)" inputMode="decimal" error={fields.weightKg} />
      </div>
      <Field id="allergies" label="Allergies" error={fields.allergies} placeholder="e.g. Penicillin (rash); none known" />
      <fieldset className="space-y-2">
        <legend className="field-label">Screening before a series (sources 001, 002)</legend>
        {SCREEN_KEYS.map((k) => (
          <div key={k} className="flex flex-wrap items-center gap-3 text-sm" role="radiogroup" aria-label={SCREENING_LABELS[k]}>
            <span className="min-w-64">{SCREENING_LABELS[k]}</span>
            {(["no", "yes", "unknown"] as const).map((v) => (
              <label key={v} className="inline-flex min-h-11 items-center gap-1">
                <input type="radio" name={`screen-${k}`} value={v} defaultChecked={v === "unknown"} /> {v === "unknown" ? "not asked" : v}
              </label>
            ))}
          </div>
        ))}
        <Field id="screeningNotes" label="Screening notes" error={fields["screening.notes"]} />
      </fieldset>
      <div className="grid gap-3 sm:grid-cols-2">
        <label className="inline-flex min-h-11 items-center gap-2 text-sm font-medium"><input type="checkbox" name="consentOnFile" /> Consent on file</label>
        <Field id="consentDate" label="Consent date" type="date" error={fields.consentDate} />
      </div>
      <button className="btn-primary" type="submit" disabled={pending}>{pending ? "Saving…" : "Register patient"}</button>
    </form>
  );
}
