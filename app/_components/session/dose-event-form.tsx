"use client";
import { hardLimitOverride, hasReason, isBackTimed, REASON_LENGTH_HINT } from "@/lib/domain/charting";
import { useId, useRef, useState } from "react";
import { integrateDose, validateDoseSequence, type DoseEventPoint, type DoseEventType } from "@/lib/domain/dose";
import type { FlagDraft } from "@/lib/domain/flags";
import { conditionsRaisedBy } from "@/lib/domain/session-flags";
import { pumpRounding } from "@/lib/domain/guards";
import { safetySettingsOf } from "@/lib/domain/protocol";
import {
  formatMg,
  formatMgPerKg,
  formatMgPerKgPerH,
  rateUgPerHFromPerKg,
  rateUgPerKgPerHFromMgPerKgPerH,
  rateUgPerKgPerHFromMlPerH,
  roundDivBig,
  ugFromMg,
} from "@/lib/domain/units";
import { DOSE_EVENT_TYPES, DoseEventSchema } from "@/lib/validation/session";
import { useNow, useNowReader } from "./clock";
import { formatHm, toLocalInputValue } from "./clinic-time";
import { FormAlert, TextField } from "@/app/_components/forms/fields";
import { LiveFlags } from "./flag-display";
import { CorrectionBanner } from "./correction-banner";
import { DOSE_TYPE_LABELS, doseRowToPoint, effectiveRows, engineViewOf, evaluationNow, fieldErrorsOf, FUTURE_SKEW_MS, readNumber, type DoseRow } from "./rows";
import { useSession } from "./session-context";
import { resolveTime, TimeField } from "./time-field";
import { bandText } from "./protocol-text";
import { useMutation } from "@/app/_components/data/use-mutation";

type RateMode = "MG_PER_KG_PER_H" | "ML_PER_H";

const needsRate = (t: DoseEventType) => t === "START" || t === "RATE_CHANGE";

/** Dose events: start, rate change, bolus, pause, resume, stop. */
export function DoseEventForm() {
  const { correction } = useSession();
  const correcting = correction?.kind === "dose-events" ? correction.row : null;
  const [generation, setGeneration] = useState(0);
  return <DoseEventFormInner key={`${correcting?.id ?? "new"}-${generation}`} correcting={correcting} onDone={() => setGeneration((g) => g + 1)} />;
}

function DoseEventFormInner({ correcting, onDone }: { correcting: DoseRow | null; onDone: () => void }) {
  const { chart, timeZone, onSaved, cancelCorrection, isRefreshing } = useSession();
  const formId = useId();
  const nowMs = useNow(5_000);
  const readNow = useNowReader();
  const { submit, pending, fieldErrors: serverErrors, formError, error: submitError } = useMutation();
  const firstFieldRef = useRef<HTMLInputElement & HTMLTextAreaElement>(null);

  const initialAt = correcting ? toLocalInputValue(Date.parse(correcting.at), timeZone) : null;
  const [chosenType, setChosenType] = useState<DoseEventType | null>(correcting?.type ?? null);
  const [atText, setAtText] = useState<string | null>(initialAt);
  const [rateMode, setRateMode] = useState<RateMode>("MG_PER_KG_PER_H");
  const [rateText, setRateText] = useState(correcting?.rateUgPerKgPerH != null ? formatMgPerKgPerH(correcting.rateUgPerKgPerH) : "");
  const [mlText, setMlText] = useState("");
  const [bolusText, setBolusText] = useState(correcting?.bolusUg != null ? String(correcting.bolusUg / 1000) : "");
  const [reason, setReason] = useState(correcting?.reason ?? "");
  const [overrideReason, setOverrideReason] = useState(correcting?.overrideReason ?? "");
  const [backTimeReason, setBackTimeReason] = useState("");
  const [correctionReason, setCorrectionReason] = useState("");
  const [submitted, setSubmitted] = useState(false);
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const touch = (f: string) => setTouched((t) => (t[f] ? t : { ...t, [f]: true }));

  const { weightG, concentrationUgPerMl } = chart;
  const limits = chart.protocol.limits;
  const openedAtMs = Date.parse(chart.openedAt);
  const prior: DoseEventPoint[] = effectiveRows(chart.doseEvents).filter((r) => r.id !== correcting?.id).map(doseRowToPoint);
  const stateNow = integrateDose(prior, weightG, evaluationNow(chart, nowMs)).state;
  const autoType: DoseEventType = stateNow === "NOT_STARTED" ? "START" : stateNow === "PAUSED" ? "RESUME" : "RATE_CHANGE";
  const type = chosenType ?? autoType;

  // time: a correction keeps the original instant (seconds included) unless the nurse changes it
  const pinnedMs = correcting && atText === initialAt ? Date.parse(correcting.at) : null;
  const time = pinnedMs !== null ? { atMs: pinnedMs, isBackTimed: isBackTimed(nowMs, pinnedMs), error: undefined } : resolveTime(atText, nowMs, timeZone, openedAtMs, FUTURE_SKEW_MS);

  // rate: typed in mg/kg/h, or read off the pump in mL/h and converted with the session's weight and concentration
  let rateNumber: number | undefined;
  let rateUg: number | null = null;
  let mlError: string | undefined;
  if (needsRate(type)) {
    if (rateMode === "MG_PER_KG_PER_H") {
      rateNumber = readNumber(rateText);
      rateUg = rateNumber !== undefined && Number.isFinite(rateNumber) ? rateUgPerKgPerHFromMgPerKgPerH(rateNumber) : null;
    } else {
      const ml = readNumber(mlText);
      if (ml === undefined) rateNumber = undefined;
      else if (!Number.isFinite(ml) || ml <= 0) { rateNumber = Number.NaN; mlError = "must be a number of mL/h above 0"; }
      else if (ml > 10_000) { rateNumber = Number.NaN; mlError = "must be at most 10000 mL/h"; }
      else {
        rateUg = rateUgPerKgPerHFromMlPerH(ml, weightG, concentrationUgPerMl);
        rateNumber = Number(formatMgPerKgPerH(rateUg));
      }
    }
  }
  const bolusNumber = type === "BOLUS" ? readNumber(bolusText) : undefined;
  const bolusUg = bolusNumber !== undefined && Number.isFinite(bolusNumber) ? ugFromMg(bolusNumber) : null;

  const hardFlagsFor = (flags: FlagDraft[]) => flags.filter((f) => f.severity === "HARD");
  const buildBody = (atMs: number, flags: FlagDraft[]) => {
    const backTimed = isBackTimed(nowMs, atMs) || !!serverErrors.backTimeReason;
    return {
      type,
      at: new Date(atMs).toISOString(),
      ...(needsRate(type) && rateNumber !== undefined ? { rateMgPerKgPerH: rateNumber } : {}),
      ...(type === "BOLUS" && bolusNumber !== undefined ? { bolusMg: bolusNumber } : {}),
      ...(reason.trim() ? { reason: reason.trim() } : {}),
      ...(hardFlagsFor(flags).length && overrideReason.trim() ? { overrideReason: overrideReason.trim() } : {}),
      ...(backTimed
        ? { backTimeReason: correcting ? `Correction: ${correctionReason.trim()}`.slice(0, 1000) : backTimeReason.trim() }
        : {}),
      ...(correcting ? { correctsId: correcting.id, correctionReason: correctionReason.trim() } : {}),
    };
  };

  // what the event would be, for the sequence check and the live flags
  const atMs = time.atMs ?? nowMs;
  const event: DoseEventPoint = { type, atMs, rateUgPerKgPerH: rateUg, bolusUg };
  const valueReady = needsRate(type) ? rateUg !== null && rateUg > 0 : type === "BOLUS" ? bolusUg !== null && bolusUg > 0 : true;
  const sequenceError = time.atMs !== null && valueReady ? validateDoseSequence(prior, event) : null;
  // The live badge is the server's own test (decision 0009): the conditions this entry would
  // newly raise over the whole timeline, not already a live flag. HARD ones need an override.
  const flags: FlagDraft[] = valueReady && time.atMs !== null && !sequenceError
    ? conditionsRaisedBy({
        limits, ...engineViewOf(chart), nowMs,
        candidate: { type: "DoseEvent", row: { ...event, id: "candidate", enteredAtMs: nowMs }, correctsId: correcting?.id ?? null },
      })
    : [];
  const softFlags = flags.filter((f) => f.severity === "SOFT");
  const hardFlags = hardFlagsFor(flags);

  const parsed = DoseEventSchema.safeParse(buildBody(atMs, flags));
  const errors: Record<string, string> = parsed.success ? {} : fieldErrorsOf(parsed.error.issues);
  if (mlError) errors.rateMgPerKgPerH = mlError;
  // What the pump really runs: its rate in steps (0.1 mL/h [default]) and the dose that step
  // delivers (docs/clinical-brief.md "Safety guards in the style of smart-pump drug libraries
  // [defaults unless marked]"). A running rate the pump sets as 0.0 mL/h is refused, as by the
  // API; only an IV protocol runs a pump (decision 0009).
  const pump = chart.protocol.route === "IV" && needsRate(type) && rateUg !== null && rateUg > 0
    ? pumpRounding({ rateUgPerKgPerH: rateUg, weightG, concentrationUgPerMl, settings: safetySettingsOf(limits) })
    : null;
  if (pump?.isZero && pump.message && !mlError) errors.rateMgPerKgPerH = pump.message;
  if (time.error) errors.at = time.error;
  if (sequenceError) errors.type = sequenceError;
  if (time.isBackTimed && !correcting && !hasReason(backTimeReason)) errors.backTimeReason = `give a reason for charting this late (${REASON_LENGTH_HINT})`;
  // with a hard limit the override reason is stored on every flag of the entry (lib/server chartDoseEvent)
  const needsReason = softFlags.length > 0 && hardFlags.length === 0;
  if (needsReason && !hasReason(reason)) errors.reason = "a reason is required: this entry is outside the documented range";
  if (hardLimitOverride(hardFlags, overrideReason).isMissing) errors.overrideReason = "a hard limit needs a physician's override reason";
  if (correcting && !hasReason(correctionReason)) errors.correctionReason = `give a reason for the correction (${REASON_LENGTH_HINT})`;

  const shown = (field: string) =>
    serverErrors[field] ?? (submitted || touched[field] || (field === "rateMgPerKgPerH" && pump?.isZero) ? errors[field] : undefined);

  async function onSubmit(e: React.FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    if (Object.keys(errors).length > 0) return;
    const stampedNow = atText === null && !correcting;
    const body = buildBody(stampedNow ? readNow() : atMs, flags);
    // pressing save again after a lost connection resends the first body, its time included
    const result = await submit<{ doseEvent: { at: string }; flags: { code: string; severity: string }[] }>(
      `/api/sessions/${chart.id}/dose-events`, body, { schema: DoseEventSchema, intent: stampedNow ? { ...body, at: "now" } : body },
    );
    if (!result?.ok) return;
    onSaved(`${correcting ? "Correction saved" : "Dose event saved"}: ${DOSE_TYPE_LABELS[type]} at ${formatHm(Date.parse(result.data.doseEvent.at), timeZone)}.`, result.data.flags);
    if (correcting) cancelCorrection();
    onDone();
  }

  const rateLabel = rateMode === "MG_PER_KG_PER_H" ? "Rate (mg/kg/h)" : "Pump rate (mL/h)";
  const rateCalc = rateUg !== null && rateUg > 0
    ? rateMode === "MG_PER_KG_PER_H"
      ? <>
          {`= ${formatMg(rateUgPerHFromPerKg(rateUg, weightG))} mg/h${pump ? ` · pump ${pump.pumpMlPerHText} mL/h` : ""}`}
          {pump && !pump.isZero && pump.isOutsideTolerance && (
            <span className="block font-semibold text-soft" data-testid="pump-rounding">
              pump {pump.pumpMlPerHText} mL/h delivers {formatMgPerKgPerH(pump.deliveredUgPerKgPerH)} mg/kg/h,{" "}
              {Math.round(pump.deviationTenthsPct / 10)}% {pump.isUnder ? "under" : "over"} the ordered {formatMgPerKgPerH(rateUg)}. Consider a lower concentration so the pump can run the ordered dose.
            </span>
          )}
        </>
      : `= ${formatMgPerKgPerH(rateUg)} mg/kg/h · ${formatMg(rateUgPerHFromPerKg(rateUg, weightG))} mg/h (charted in mg/kg/h)`
    : null;
  const bolusCalc = bolusUg !== null && bolusUg > 0 ? `= ${formatMgPerKg(Number(roundDivBig(BigInt(bolusUg) * 1000n, BigInt(weightG))))} mg/kg at ${chart.weightKg.toFixed(1)} kg` : null;

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby={`${formId}-h`} className="card space-y-4">
      <h2 id={`${formId}-h`} className="text-lg font-semibold">{correcting ? "Correct dose event" : "Dose event"}</h2>
      {correcting && (
        <CorrectionBanner
          what={`${DOSE_TYPE_LABELS[correcting.type]} at ${formatHm(Date.parse(correcting.at), timeZone)}`}
          by={correcting.enteredBy}
          reason={correctionReason}
          onReason={setCorrectionReason}
          error={shown("correctionReason")}
          onCancel={cancelCorrection}
          inputRef={firstFieldRef}
        />
      )}
      {stateNow === "STOPPED" && !correcting && (
        <p className="rounded-md bg-slate-100 px-3 py-2 text-sm">The infusion is stopped: nothing can be charted after the stop. A forgotten earlier event can still be charted with its own time.</p>
      )}
      <fieldset>
        <legend className="field-label mb-1">Event type</legend>
        <div className="grid grid-cols-3 gap-2" role="radiogroup" aria-describedby={`${formId}-type-err`}>
          {DOSE_EVENT_TYPES.map((t) => (
            <label key={t} className="seg-item">
              <input type="radio" name={`${formId}-type`} value={t} checked={type === t} onChange={() => setChosenType(t)} />
              <span>{DOSE_TYPE_LABELS[t]}</span>
            </label>
          ))}
        </div>
        <div id={`${formId}-type-err`} aria-live="polite">
          {shown("type") && <p className="field-error">⚠ {shown("type")}</p>}
        </div>
      </fieldset>

      {needsRate(type) && (
        <div className="space-y-2">
          <fieldset>
            <legend className="field-label mb-1">Enter the rate as</legend>
            <div className="seg">
              <label className="seg-item">
                <input type="radio" name={`${formId}-mode`} checked={rateMode === "MG_PER_KG_PER_H"} onChange={() => setRateMode("MG_PER_KG_PER_H")} />
                <span>mg/kg/h</span>
              </label>
              <label className="seg-item">
                <input type="radio" name={`${formId}-mode`} checked={rateMode === "ML_PER_H"} onChange={() => setRateMode("ML_PER_H")} />
                <span>mL/h (pump)</span>
              </label>
            </div>
          </fieldset>
          <TextField
            key={rateMode}
            label={rateLabel}
            value={rateMode === "MG_PER_KG_PER_H" ? rateText : mlText}
            onChange={rateMode === "MG_PER_KG_PER_H" ? setRateText : setMlText}
            onBlur={() => touch("rateMgPerKgPerH")}
            inputMode="decimal"
            unit={rateMode === "MG_PER_KG_PER_H" ? "mg/kg/h" : "mL/h"}
            error={shown("rateMgPerKgPerH")}
            calc={rateCalc}
            tone={hardFlags.length ? "hard" : softFlags.length ? "soft" : "normal"}
            hint={<>{bandText(limits, type === "START")} · weight {chart.weightKg.toFixed(1)} kg · {chart.concentrationMgPerMl.toFixed(2)} mg/mL</>}
          />
        </div>
      )}
      {type === "BOLUS" && (
        <TextField
          label="Bolus (mg)" value={bolusText} onChange={setBolusText} onBlur={() => touch("bolusMg")} inputMode="decimal" unit="mg"
          error={shown("bolusMg")} calc={bolusCalc} tone={hardFlags.length ? "hard" : softFlags.length ? "soft" : "normal"}
        />
      )}

      <TimeField
        value={pinnedMs !== null ? initialAt : atText}
        onChange={setAtText}
        timeZone={timeZone}
        error={shown("at")}
        backTimeReason={backTimeReason}
        onBackTimeReason={setBackTimeReason}
        backTimeError={shown("backTimeReason")}
        needsBackTimeReason={time.isBackTimed || !!serverErrors.backTimeReason}
        hideBackTime={!!correcting}
      />

      <LiveFlags flags={flags} />

      <TextField
        label="Reason" value={reason} onChange={setReason} onBlur={() => touch("reason")} multiline
        required={needsReason} tone={needsReason ? "soft" : "normal"} error={shown("reason")}
        hint={needsReason ? "Required: this entry raises a flag. Say why (e.g. the order, the patient's response)." : hardFlags.length ? "Optional: the override reason below is recorded on every flag of this entry." : "Optional."}
      />
      {(hardFlags.length > 0 || serverErrors.overrideReason) && (
        <TextField
          label="Override reason" value={overrideReason} onChange={setOverrideReason} onBlur={() => touch("overrideReason")} multiline
          required tone="hard" error={shown("overrideReason")}
          hint="Hard limit: charted only with a physician's override. Name the physician and the reason."
        />
      )}

      <FormAlert message={formError} error={submitError} />
      <div className="flex flex-wrap gap-2">
        {/* waits for the reloaded chart after a save: the live flags must be computed on the rows the server has */}
        <button type="submit" className={hardFlags.length ? "btn-danger min-h-12 px-6 text-base" : "btn-primary min-h-12 px-6 text-base"} disabled={pending || isRefreshing}>
          {pending ? "Saving…" : "Save dose event"}
        </button>
        {hardFlags.length > 0 && <span className="self-center text-sm font-semibold text-hard">Saving passes a hard limit with the override above.</span>}
      </div>
    </form>
  );
}
