"use client";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { TitrationChart } from "@/app/_components/charts/titration-chart";
import { useMutation } from "@/app/_components/data/use-mutation";
import { Field } from "@/app/_components/forms/fields";
import { fieldMessages } from "@/lib/validation/common";
import { parseNumberInput } from "@/lib/validation/number-input";
import { DOSE_BASES, type ProtocolRoute, type VitalsThresholds } from "@/lib/domain/protocol";
import { formatMgPerKgPerH } from "@/lib/domain/units";
import {
  CreateProtocolSchema, LIMIT_FIELDS, limitsFromInput, NewProtocolVersionSchema, protocolLimitErrors, SAFETY_FIELDS, type LimitField, type ProtocolLimitsInput,
} from "@/lib/validation/protocol";

const GROUPS: { id: LimitField["group"]; title: string; hint: string }[] = [
  { id: "rate", title: "Infusion rate", hint: "Outside the documented range is a soft flag; at or above the hard limit needs a physician's override." },
  { id: "bolus", title: "Bolus", hint: "" },
  { id: "session", title: "Per session", hint: "" },
  { id: "schedule", title: "Schedule", hint: "" },
  { id: "vitals", title: "Vitals thresholds", hint: "Prefilled with the clinic's defaults (clinic settings)." },
];

const DOSE_BASIS_LABELS: Record<string, string> = {
  RATE_PER_KG: "Continuous rate (mg/kg/h)",
  AMOUNT_PER_KG: "Weight-based amount over a set time (mg/kg)",
  FIXED_TOTAL: "Fixed total per session (mg)",
  DAILY_PER_KG: "Weight-based daily amount (oral)",
  PER_DOSE_PER_KG: "Weight-based amount per dose (intranasal)",
};

/** Values a preview uses while a field is still being typed: the clinic's start time and a 70 kg adult. */
const PREVIEW_OPENED_MS = Date.UTC(2026, 0, 5, 14, 0);
const PREVIEW_END_MS = PREVIEW_OPENED_MS + 4 * 3_600_000;

export function ProtocolEditor({
  mode, protocolId, initial, vitalsDefaults, timeZone, route: versionRoute,
}: {
  mode: "protocol" | "version";
  protocolId?: string;
  /** a new version keeps its protocol's route (the anaesthetic edge is an IV limit) */
  route?: ProtocolRoute;
  initial: Record<string, string>;
  vitalsDefaults: VitalsThresholds;
  timeZone: string;
}) {
  const router = useRouter();
  const [values, setValues] = useState<Record<string, string>>(initial);
  const { submit, pending, fieldErrors: serverFields, formError } = useMutation();
  const [touched, setTouched] = useState(false);
  // a field the user edits after the server refused it shows the live check again
  const [editedSince, setEditedSince] = useState<Set<string>>(new Set());

  const raw = useMemo(() => {
    const body: Record<string, unknown> = { doseBasis: values.doseBasis };
    for (const f of LIMIT_FIELDS) {
      const n = parseNumberInput(values[f.key] ?? "");
      if (n !== undefined) body[f.key] = n;
    }
    // the drug library (dosing-error guards); standard concentrations as typed, "1, 2"
    for (const f of SAFETY_FIELDS) {
      const text = (values[f.key] ?? "").trim();
      if (!text) continue;
      body[f.key] = f.kind === "concentrations" ? text : parseNumberInput(text);
    }
    for (const k of ["sourceDocument", "sourceWording", "limitRationale"]) if ((values[k] ?? "").trim()) body[k] = values[k]!.trim();
    if (mode === "protocol") for (const k of ["name", "indication", "route"]) body[k] = (values[k] ?? "").trim();
    return body;
  }, [values, mode]);

  // The same checks the server runs: the schema (types, decimals, bounds) then the limit rules.
  const check = useMemo(() => {
    const schema = mode === "protocol" ? CreateProtocolSchema : NewProtocolVersionSchema;
    const parsed = schema.safeParse(raw);
    const errors: Record<string, string> = !parsed.success ? fieldMessages(parsed.error.issues) : {};
    const limits = limitsFromInput(raw as ProtocolLimitsInput, vitalsDefaults);
    const route = (mode === "protocol" ? (raw.route as ProtocolRoute | undefined) || "IV" : versionRoute) ?? "IV";
    for (const [k, m] of Object.entries(protocolLimitErrors(limits, route))) errors[k] ??= m;
    const previewable = Number.isSafeInteger(limits.hardMaxRateUgPerKgPerH) && limits.hardMaxRateUgPerKgPerH > 0;
    return { errors, limits, previewable };
  }, [raw, mode, vitalsDefaults, versionRoute]);

  const errorFor = (k: string) => (editedSince.has(k) ? undefined : serverFields[k]) ?? (touched || (values[k] ?? "") !== (initial[k] ?? "") ? check.errors[k] : undefined);
  const set = (k: string) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) => {
    setValues((v) => ({ ...v, [k]: e.target.value }));
    setEditedSince((s) => (s.has(k) ? s : new Set(s).add(k)));
  };

  async function onSubmit(e: React.FormEvent) {
    e.preventDefault();
    setTouched(true);
    setEditedSince(new Set());
    const url = mode === "protocol" ? "/api/protocols" : `/api/protocols/${protocolId}/versions`;
    // the schema and the limit rules, as the server runs them
    const res = await submit<{ protocol?: { id: string }; protocolId?: string }>(url, raw, {
      schema: mode === "protocol" ? CreateProtocolSchema : NewProtocolVersionSchema,
      check: () => check.errors,
    });
    if (!res?.ok) return;
    router.push(`/protocols/${res.data.protocol?.id ?? res.data.protocolId}`);
    router.refresh();
  }

  const l = check.limits;
  const r = (ug: number | null) => (ug === null || !Number.isFinite(ug) ? "—" : formatMgPerKgPerH(ug));

  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,420px)]">
      <div className="space-y-4">
        {mode === "protocol" && (
          <fieldset className="card grid gap-3 sm:grid-cols-3">
            <legend className="px-1 text-lg font-semibold">Protocol</legend>
            <Field id="name" label="Name" value={values.name ?? ""} onChange={set("name")} error={errorFor("name")} />
            <Field id="indication" label="Indication" value={values.indication ?? ""} onChange={set("indication")} error={errorFor("indication")} />
            <Field id="route" label="Route" error={errorFor("route")}>
              <select id="route" className="field-input h-10" value={values.route ?? "IV"} onChange={set("route")}>
                <option value="IV">IV</option><option value="PO">PO (oral)</option><option value="IN">IN (intranasal)</option>
              </select>
            </Field>
          </fieldset>
        )}
        <fieldset className="card">
          <legend className="px-1 text-lg font-semibold">Dose basis</legend>
          <Field id="doseBasis" label="How the source documents the dose" error={errorFor("doseBasis")}>
            <select id="doseBasis" className="field-input h-10" value={values.doseBasis ?? "RATE_PER_KG"} onChange={set("doseBasis")}>
              {DOSE_BASES.map((b) => <option key={b} value={b}>{DOSE_BASIS_LABELS[b]}</option>)}
            </select>
          </Field>
        </fieldset>
        {GROUPS.map((g) => (
          <fieldset key={g.id} className="card">
            <legend className="px-1 text-lg font-semibold">{g.title}</legend>
            {g.hint && <p className="mb-2 text-sm text-slate-600">{g.hint}</p>}
            <div className="grid gap-3 sm:grid-cols-2 xl:grid-cols-3">
              {LIMIT_FIELDS.filter((f) => f.group === g.id).map((f) => (
                <Field
                  key={f.key} id={f.key} label={`${f.label} (${f.unit})`} inputMode="decimal" autoComplete="off"
                  value={values[f.key] ?? ""} onChange={set(f.key)} error={errorFor(f.key)}
                  hint={f.required ? "required" : f.group === "vitals" ? undefined : "leave empty for no limit"}
                />
              ))}
            </div>
          </fieldset>
        ))}
        <fieldset className="card">
          <legend className="px-1 text-lg font-semibold">Drug library (dosing-error guards)</legend>
          <p className="mb-2 text-sm text-slate-600">
            What the start and dose forms check as the nurse types. 50 and 100 mg/mL are undiluted stock vials and never standard. Empty fields take the default.
          </p>
          <div className="grid gap-3 sm:grid-cols-2 xl:grid-cols-3">
            {SAFETY_FIELDS.map((f) => (
              <Field
                key={f.key} id={f.key} label={`${f.label} (${f.unit})`} inputMode={f.kind === "concentrations" ? "text" : "decimal"} autoComplete="off"
                value={values[f.key] ?? ""} onChange={set(f.key)} error={errorFor(f.key)}
              />
            ))}
          </div>
        </fieldset>
        <fieldset className="card space-y-3">
          <legend className="px-1 text-lg font-semibold">Source</legend>
          <Field id="sourceDocument" label="Source document" value={values.sourceDocument ?? ""} onChange={set("sourceDocument")} error={errorFor("sourceDocument")} />
          <Field id="sourceWording" label="Source wording" error={errorFor("sourceWording")}>
            <textarea id="sourceWording" className="field-input min-h-20 py-2" value={values.sourceWording ?? ""} onChange={set("sourceWording")} aria-describedby="sourceWording-error" />
          </Field>
          <Field id="limitRationale" label="How the wording was read into limits (what changed and why)" error={errorFor("limitRationale")}>
            <textarea id="limitRationale" className="field-input min-h-20 py-2" value={values.limitRationale ?? ""} onChange={set("limitRationale")} aria-describedby="limitRationale-error" />
          </Field>
        </fieldset>
        <p role="alert" className="field-error">{formError}</p>
        <button type="submit" className="btn-primary" disabled={pending}>
          {pending ? "Saving…" : mode === "protocol" ? "Create protocol" : "Save as new version"}
        </button>
      </div>
      <aside className="space-y-2 lg:sticky lg:top-4 lg:self-start" aria-labelledby="preview-h">
        <h2 id="preview-h" className="text-lg font-semibold">Preview: the band a session chart will draw</h2>
        <p className="text-sm text-slate-600" data-testid="band-preview-text" aria-live="polite">
          Documented range {r(l.softMinRateUgPerKgPerH)}–{r(l.softMaxRateUgPerKgPerH)} mg/kg/h
          {(l.startMinRateUgPerKgPerH !== null || l.startMaxRateUgPerKgPerH !== null) && <>; start {r(l.startMinRateUgPerKgPerH)}–{r(l.startMaxRateUgPerKgPerH)} mg/kg/h</>}
          ; hard limit {r(l.hardMaxRateUgPerKgPerH)} mg/kg/h.
        </p>
        {check.previewable ? (
          <TitrationChart points={[]} limits={l} weightG={70_000} openedAtMs={PREVIEW_OPENED_MS} endMs={PREVIEW_END_MS} timeZone={timeZone} />
        ) : (
          <p className="card text-sm text-slate-600">Enter a hard rate limit to see the preview.</p>
        )}
      </aside>
    </form>
  );
}
