"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useMutation } from "@/app/_components/data/use-mutation";
import { Field, FieldError } from "@/app/_components/forms/fields";
import { PATIENT_REPORTABLE_KINDS, PATIENT_SIDE_EFFECT_WORDING, sideEffectLabel } from "@/lib/domain/side-effects";
import { parseNumberInput } from "@/lib/validation/number-input";
import { ClinicSettingsSchema, IDLE_SIGN_OUT_MAX, IDLE_SIGN_OUT_MIN, type ClinicSettingsInput } from "@/lib/validation/clinic";

const VITALS: [keyof ClinicSettingsInput, string][] = [
  ["vitalsIntervalMin", "Vitals at least every (minutes)"],
  ["sbpHighMmHg", "Systolic at or above (mmHg)"],
  ["dbpHighMmHg", "Diastolic at or above (mmHg)"],
  ["bpRisePct", "Blood pressure rise from baseline (%)"],
  ["hrHighPerMin", "Heart rate at or above (/min)"],
  ["hrLowPerMin", "Heart rate at or below (/min)"],
  ["spo2LowPct", "SpO₂ below (%)"],
  ["rrLowPerMin", "Respiratory rate below (/min)"],
  ["rrHighPerMin", "Respiratory rate above (/min)"],
];

export function SettingsForm({ initial, zones }: { initial: ClinicSettingsInput; zones: string[] }) {
  const router = useRouter();
  const { submit, pending, fieldErrors: fields, formError } = useMutation();
  const [saved, setSaved] = useState(false);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const raw: Record<string, unknown> = { name: String(f.get("name") ?? ""), timezone: String(f.get("timezone") ?? ""), idleSignOutMin: parseNumberInput(f.get("idleSignOutMin")) };
    for (const [k] of VITALS) raw[k] = parseNumberInput(f.get(k));
    raw.phone = String(f.get("phone") ?? "");
    raw.checkInLinkDaysAfterEnd = parseNumberInput(f.get("checkInLinkDaysAfterEnd"));
    raw.checkInDaysAfterSession = String(f.get("checkInDaysAfterSession") ?? "").split(/[ ,;]+/).filter(Boolean).map((d) => parseNumberInput(d));
    raw.checkInDayBeforeNext = f.get("checkInDayBeforeNext") === "on";
    raw.checkInSideEffectKinds = f.getAll("checkInSideEffectKinds").map(String);
    raw.deviceCriticalSpo2BelowPct = parseNumberInput(f.get("deviceCriticalSpo2BelowPct"));
    raw.deviceCriticalSbpAtOrAboveMmHg = parseNumberInput(f.get("deviceCriticalSbpAtOrAboveMmHg"));
    setSaved(false);
    const res = await submit("/api/admin/clinic", raw, { schema: ClinicSettingsSchema });
    if (!res?.ok) return;
    setSaved(true);
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      <fieldset className="card grid gap-3 sm:grid-cols-3">
        <legend className="px-1 text-lg font-semibold">Clinic</legend>
        <Field id="name" label="Clinic name" defaultValue={initial.name} error={fields.name} />
        <Field id="timezone" label="Time zone" error={fields.timezone} hint="All times are shown in it.">
          <select id="timezone" name="timezone" className="field-input h-10" defaultValue={initial.timezone}>
            {zones.map((z) => <option key={z} value={z}>{z}</option>)}
          </select>
        </Field>
        <Field id="idleSignOutMin" label="Idle sign-out (minutes)" inputMode="numeric" defaultValue={initial.idleSignOutMin} error={fields.idleSignOutMin}
          hint={`${IDLE_SIGN_OUT_MIN}–${IDLE_SIGN_OUT_MAX} minutes without activity.`} />
      </fieldset>
      <fieldset className="card">
        <legend className="px-1 text-lg font-semibold">Default vitals for new protocols</legend>
        <p className="mb-2 text-sm text-slate-600">Copied into protocols created from now on. Existing protocol versions keep their thresholds.</p>
        <div className="grid gap-3 sm:grid-cols-3">
          {VITALS.map(([k, label]) => (
            <Field key={k} id={k} label={label} inputMode="numeric" defaultValue={initial[k] as number} error={fields[k]} />
          ))}
        </div>
      </fieldset>
      <fieldset className="card">
        <legend className="px-1 text-lg font-semibold">Patient check-ins</legend>
        <p className="mb-2 text-sm text-slate-600">Patients check in from the link on their discharge sheet. The figures are defaults (docs/decisions/0020).</p>
        <div className="grid gap-3 sm:grid-cols-3">
          <Field id="phone" label="Clinic phone shown to patients" defaultValue={initial.phone ?? ""} error={fields.phone} hint="Shown when a patient reports a severe side effect." />
          <Field id="checkInLinkDaysAfterEnd" label="Link valid after the series ends (days)" inputMode="numeric" defaultValue={initial.checkInLinkDaysAfterEnd} error={fields.checkInLinkDaysAfterEnd} hint="Default 30." />
          <Field id="checkInDaysAfterSession" label="Check-in days after each session" defaultValue={(initial.checkInDaysAfterSession ?? []).join(", ")} error={fields.checkInDaysAfterSession} hint="Default 1, 3, 7." />
        </div>
        <label className="mt-3 flex items-center gap-2 text-sm">
          <input type="checkbox" name="checkInDayBeforeNext" className="h-5 w-5" defaultChecked={initial.checkInDayBeforeNext ?? true} />
          Also expect a check-in the day before the next session (default on)
        </label>
        <fieldset className="mt-3" aria-describedby="checkInSideEffectKinds-error">
          <legend className="text-sm font-semibold">Side effects patients are asked about (default: all)</legend>
          <p className="text-sm text-slate-600">Each is asked in plain words; the bedside term is in brackets.</p>
          <ul className="mt-1 grid gap-1 sm:grid-cols-2">
            {PATIENT_REPORTABLE_KINDS.map((code) => (
              <li key={code}>
                <label className="flex min-h-8 items-center gap-2 text-sm">
                  <input type="checkbox" name="checkInSideEffectKinds" value={code} className="h-5 w-5" defaultChecked={(initial.checkInSideEffectKinds ?? PATIENT_REPORTABLE_KINDS).includes(code)} />
                  {PATIENT_SIDE_EFFECT_WORDING[code]} ({sideEffectLabel(code)})
                </label>
              </li>
            ))}
          </ul>
          <FieldError id="checkInSideEffectKinds-error" message={fields.checkInSideEffectKinds} />
        </fieldset>
      </fieldset>
      <fieldset className="card">
        <legend className="px-1 text-lg font-semibold">Bedside monitor alerts</legend>
        <p className="mb-2 text-sm text-slate-600">A monitor&apos;s reading past these alerts the chair board at once, before a nurse validates it. The figures are defaults (docs/decisions/0021).</p>
        <div className="grid gap-3 sm:grid-cols-3">
          <Field id="deviceCriticalSpo2BelowPct" label="Alert when SpO2 is below (%)" inputMode="numeric" defaultValue={initial.deviceCriticalSpo2BelowPct} error={fields.deviceCriticalSpo2BelowPct} hint="Default 85." />
          <Field id="deviceCriticalSbpAtOrAboveMmHg" label="Alert when systolic is at or above (mmHg)" inputMode="numeric" defaultValue={initial.deviceCriticalSbpAtOrAboveMmHg} error={fields.deviceCriticalSbpAtOrAboveMmHg} hint="Default 180." />
        </div>
      </fieldset>
      {formError && <p role="alert" className="field-error">{formError}</p>}
      {saved && <p role="status" className="text-sm font-medium text-calm">Saved.</p>}
      <button type="submit" className="btn-primary" disabled={pending}>{pending ? "Saving…" : "Save settings"}</button>
    </form>
  );
}
