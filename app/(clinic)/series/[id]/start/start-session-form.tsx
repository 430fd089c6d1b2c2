"use client";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { useMutation } from "@/app/_components/data/use-mutation";
import { CheckboxField, FormAlert, SelectField, TextField } from "@/app/_components/forms/fields";
import { LiveFlags } from "@/app/_components/session/flag-display";
import { useNow } from "@/app/_components/session/clock";
import { fromLocalInputValue, toLocalInputValue } from "@/app/_components/session/clinic-time";
import { fieldErrorsOf, readNumber } from "@/app/_components/session/rows";
import type { FlagDraft } from "@/lib/domain/flags";
import { checkOpenedAt, LATE_ENTRY_GRACE_MS, startGuards } from "@/lib/domain/guards";
import type { ProtocolRoute, SafetySettings } from "@/lib/domain/protocol";
import { formatKg, gFromKg, gFromLb, kgFromLb, ugPerMlFromMgPerMl } from "@/lib/domain/units";
import type { FreeChairs } from "@/lib/server/chairs";
import { StartSessionSchema } from "@/lib/validation/session";

type Unit = "kg" | "lb";
type Started = { session: { id: string }; flags: FlagDraft[] };

/** Today's weight (kg, or lb converted live), the bag's concentration and the pre-infusion checks. */
export function StartSessionForm({ seriesId, lastWeight, lastWeightG, settings, route, timeZone, chairs }: {
  seriesId: string;
  lastWeight: string | null;
  /** the patient's last recorded weight, g: the weight guard compares with it (lib/domain/guards.ts) */
  lastWeightG: number | null;
  /** the protocol version's drug library: standard concentrations, weight and pounds tolerances */
  settings: SafetySettings;
  /** the concentration guard holds IV protocols only (nothing is pumped on PO/IN) */
  route: ProtocolRoute;
  timeZone: string;
  /** the clinic's free chairs; `required` while the clinic has an active chair (docs/decisions/0013) */
  chairs: FreeChairs;
}) {
  const router = useRouter();
  // no chair is preselected: the nurse names the chair the patient is in
  const [chairId, setChairId] = useState("");
  const [unit, setUnit] = useState<Unit>("kg");
  const [weightText, setWeightText] = useState("");
  const [concentrationText, setConcentrationText] = useState("");
  const [consent, setConsent] = useState(false);
  const [screening, setScreening] = useState(false);
  const [submitted, setSubmitted] = useState(false);
  const [started, setStarted] = useState<Started | null>(null);
  const [weightConfirmReason, setWeightConfirmReason] = useState("");
  const [concentrationReason, setConcentrationReason] = useState("");
  const [concentrationOverrideReason, setConcentrationOverrideReason] = useState("");
  // late documentation: the pump ran before the chart was opened, or the session was kept on paper
  const [late, setLate] = useState(false);
  const [openedAtText, setOpenedAtText] = useState("");
  const [lateEntryReason, setLateEntryReason] = useState("");
  const nowMs = useNow(15_000);
  const { submit, pending, formError, fieldErrors: serverErrors, error: submitError } = useMutation();
  const continueRef = useRef<HTMLAnchorElement>(null);
  useEffect(() => { if (started) continueRef.current?.focus(); }, [started]);

  const typed = readNumber(weightText);
  // lb -> kg rounded once to the 0.1 kg the session stores (lib/domain/units)
  const lbOk = unit === "lb" && typed !== undefined && Number.isFinite(typed) && typed > 0;
  const weightKg = unit === "kg" ? typed : lbOk ? kgFromLb(typed) : typed;
  const concentrationMgPerMl = readNumber(concentrationText);
  // The same guards the API runs (lib/domain/guards.ts), as the nurse types: a weight that
  // looks like pounds, a large change, a non-standard concentration, an undiluted stock vial.
  const weightG = weightKg !== undefined && Number.isFinite(weightKg) && weightKg > 0 ? gFromKg(weightKg) : null;
  const concentrationUgPerMl = concentrationMgPerMl !== undefined && Number.isFinite(concentrationMgPerMl) && concentrationMgPerMl > 0 ? ugPerMlFromMgPerMl(concentrationMgPerMl) : null;
  const guards = startGuards({
    weightG: weightG !== null && weightG > 0 ? weightG : null, previousWeightG: lastWeightG,
    concentrationUgPerMl: concentrationUgPerMl !== null && concentrationUgPerMl > 0 ? concentrationUgPerMl : null,
    route, settings, weightConfirmReason, concentrationReason, concentrationOverrideReason,
  });
  const weightAsks = guards.weight?.status === "LARGE_CHANGE" || guards.weight?.status === "LOOKS_LIKE_POUNDS" ? guards.weight.message : null;
  const concentrationAsks = guards.concentration && guards.concentration.status !== "STANDARD" ? guards.concentration : null;
  const openedAtMs = late ? fromLocalInputValue(openedAtText, timeZone) : null;
  const body = {
    ...(weightKg !== undefined ? { weightKg } : {}),
    ...(concentrationMgPerMl !== undefined ? { concentrationMgPerMl } : {}),
    consentConfirmed: consent,
    screeningReviewed: screening,
    ...(weightAsks && weightConfirmReason.trim() ? { weightConfirmReason } : {}),
    ...(concentrationAsks?.status === "NOT_STANDARD" && concentrationReason.trim() ? { concentrationReason } : {}),
    ...(concentrationAsks?.status === "STOCK_VIAL" && concentrationOverrideReason.trim() ? { concentrationOverrideReason } : {}),
    ...(late && openedAtMs !== null ? { openedAt: new Date(openedAtMs).toISOString() } : {}),
    ...(late && lateEntryReason.trim() ? { lateEntryReason } : {}),
    ...(chairId ? { chairId } : {}),
  };
  const parsed = StartSessionSchema.safeParse(body);
  const errors: Record<string, string> = parsed.success ? {} : fieldErrorsOf(parsed.error.issues);
  // guard refusals show at once (not only on submit): the nurse must see "did you enter pounds?" while typing
  const live: Record<string, string> = { ...guards.errors };
  Object.assign(errors, live);
  if (late) {
    if (openedAtMs === null) errors.openedAt = "enter a date and a 24-hour time (HH:MM, 00:00-23:59)";
    else {
      const timeError = checkOpenedAt({ openedAtMs, nowMs, lateEntryReason });
      if (timeError) errors[timeError.field] = timeError.message;
    }
  }
  if (weightKg === undefined) errors.weightKg = "enter today's weight";
  if (readNumber(concentrationText) === undefined) errors.concentrationMgPerMl = "enter the bag's concentration";
  if (chairs.required && !chairId) errors.chairId = chairs.chairs.length === 0 ? "every chair is occupied: complete a session or ask an administrator" : "choose the chair the patient is in";
  if (!consent) errors.consentConfirmed = "confirm that consent is on file";
  if (!screening) errors.screeningReviewed = "confirm that the screening was reviewed";
  const shown = (f: string) => serverErrors[f] ?? (submitted || f in live ? errors[f] : undefined);
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
      {(chairs.required || chairs.chairs.length > 0) && (
        <SelectField
          id="chair" label="Chair" value={chairId} onChange={setChairId} error={shown("chairId")}
          hint={chairs.chairs.length === 0 ? "No chair is free." : "Only free chairs are listed. The session shows in this chair on the board."}
        >
          <option value="">Choose a chair…</option>
          {chairs.chairs.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </SelectField>
      )}
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
      {weightAsks && (
        <TextField
          label="Weight confirmation reason" value={weightConfirmReason} onChange={setWeightConfirmReason} required tone="soft"
          error={shown("weightConfirmReason")} hint={weightAsks}
        />
      )}
      <TextField
        label="Concentration (mg/mL)" value={concentrationText} onChange={setConcentrationText} inputMode="decimal" unit="mg/mL"
        error={shown("concentrationMgPerMl")}
        hint={`Ketamine concentration of the prepared bag or syringe, as labelled.${route === "IV" ? ` Standard for this protocol: ${settings.standardConcentrationsUgPerMl.map((c) => `${c / 1000} mg/mL`).join(" or ")}.` : ""}`}
      />
      {concentrationAsks?.status === "NOT_STANDARD" && (
        <TextField
          label="Reason for a non-standard concentration" value={concentrationReason} onChange={setConcentrationReason} required tone="soft"
          error={shown("concentrationReason")} hint={concentrationAsks.message}
        />
      )}
      {concentrationAsks?.status === "STOCK_VIAL" && (
        <TextField
          label="Physician's override reason (stock vial)" value={concentrationOverrideReason} onChange={setConcentrationOverrideReason} required tone="hard"
          error={shown("concentrationOverrideReason")} hint={concentrationAsks.message}
        />
      )}
      <fieldset className="space-y-3">
        <legend className="field-label mb-1">Late documentation</legend>
        <CheckboxField
          label="Documenting late"
          checked={late}
          onChange={(v) => { setLate(v); if (v && !openedAtText) setOpenedAtText(toLocalInputValue(nowMs, timeZone)); }}
          hint="The infusion began before this chart was opened (or was kept on paper): give the real opening time, up to 7 days back."
        />
        {late && (
          <>
            <TextField
              label={`Opened at (clinic time, ${timeZone}, YYYY-MM-DDTHH:MM)`} value={openedAtText} onChange={setOpenedAtText}
              error={shown("openedAt")} hint="Entries can then be charted from this time on; when the chart was really opened is kept too."
            />
            {openedAtMs !== null && nowMs - openedAtMs > LATE_ENTRY_GRACE_MS && (
              <TextField
                label="Late documentation reason" value={lateEntryReason} onChange={setLateEntryReason} required tone="soft"
                error={shown("lateEntryReason")} hint="More than 10 minutes ago: say why the chart is opened late."
              />
            )}
          </>
        )}
      </fieldset>
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
