"use client";
import { hardLimitOverride, hasReason } from "@/lib/domain/charting";
import { useState } from "react";
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
import { TextField } from "@/app/_components/forms/fields";
import { keepsRefusedValues, type QueuedEntry } from "@/lib/client/offline-queue";
import { ChartEntryFrame, CorrectableEntry, correctionWhat, useChartEntry, type ChartedEntry } from "./chart-entry";
import { formatHm } from "./clinic-time";
import { LiveFlags } from "./flag-display";
import { DOSE_TYPE_LABELS, doseRowToPoint, effectiveRows, engineViewOf, evaluationNow, fieldErrorsOf, readNumber, type DoseRow } from "./rows";
import { bandText } from "./protocol-text";
import { queuedFieldText } from "./queued-entry-text";

type RateMode = "MG_PER_KG_PER_H" | "ML_PER_H";

const needsRate = (t: DoseEventType) => t === "START" || t === "RATE_CHANGE";

/** Dose events: start, rate change, bolus, pause, resume, stop. */
export function DoseEventForm() {
  return (
    <CorrectableEntry kind="dose-events">
      {({ correcting, recharting, onDone }) => <DoseEventFormInner correcting={correcting} recharting={recharting} onDone={onDone} />}
    </CorrectableEntry>
  );
}

const isDoseEventType = (v: string): v is DoseEventType => (DOSE_EVENT_TYPES as readonly string[]).includes(v);

function DoseEventFormInner({ correcting, recharting, onDone }: { correcting: DoseRow | null; recharting: QueuedEntry | null; onDone: () => void }) {
  const entry = useChartEntry({ correcting, recharting, onDone, nowIntervalMs: 5_000 });
  const { chart, formId, nowMs, timeZone, time, touch } = entry;
  // a refused entry charted again: its values as sent (mg/kg/h and mg, the units of these fields)
  const queued = (field: string) => queuedFieldText(recharting, field);
  const queuedType = queued("type");
  const [chosenType, setChosenType] = useState<DoseEventType | null>(correcting?.type ?? (isDoseEventType(queuedType) ? queuedType : null));
  const [rateMode, setRateMode] = useState<RateMode>("MG_PER_KG_PER_H");
  const [rateText, setRateText] = useState(correcting?.rateUgPerKgPerH != null ? formatMgPerKgPerH(correcting.rateUgPerKgPerH) : queued("rateMgPerKgPerH"));
  const [mlText, setMlText] = useState("");
  const [bolusText, setBolusText] = useState(correcting?.bolusUg != null ? String(correcting.bolusUg / 1000) : queued("bolusMg"));
  const [reason, setReason] = useState(correcting?.reason ?? queued("reason"));
  const [overrideReason, setOverrideReason] = useState(correcting?.overrideReason ?? queued("overrideReason"));

  const { weightG, concentrationUgPerMl } = chart;
  const limits = chart.protocol.limits;
  const prior: DoseEventPoint[] = effectiveRows(chart.doseEvents).filter((r) => r.id !== correcting?.id).map(doseRowToPoint);
  const stateNow = integrateDose(prior, weightG, evaluationNow(chart, nowMs)).state;
  const autoType: DoseEventType = stateNow === "NOT_STARTED" ? "START" : stateNow === "PAUSED" ? "RESUME" : "RATE_CHANGE";
  const type = chosenType ?? autoType;

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

  // A refused entry charted again with the very values the server refused for want of a
  // physician's override still needs one, even before this screen has read what the server
  // counted (a colleague's bolus on another device): the server's words stand (decision 0017).
  const isOverrideAsked = !!recharting?.refusal?.fields.overrideReason && keepsRefusedValues(recharting, {
    type, at: new Date(entry.atMs).toISOString(),
    rateMgPerKgPerH: needsRate(type) ? rateNumber : undefined, bolusMg: type === "BOLUS" ? bolusNumber : undefined,
  }, ["type", "at", "rateMgPerKgPerH", "bolusMg"]);
  const hardFlagsFor = (flags: FlagDraft[]) => flags.filter((f) => f.severity === "HARD");
  const buildBody = (stampMs: number, flags: FlagDraft[]) => ({
    ...entry.timingFields(stampMs),
    type,
    ...(needsRate(type) && rateNumber !== undefined ? { rateMgPerKgPerH: rateNumber } : {}),
    ...(type === "BOLUS" && bolusNumber !== undefined ? { bolusMg: bolusNumber } : {}),
    ...(reason.trim() ? { reason: reason.trim() } : {}),
    ...((hardFlagsFor(flags).length || isOverrideAsked) && overrideReason.trim() ? { overrideReason: overrideReason.trim() } : {}),
  });

  // what the event would be, for the sequence check and the live flags
  const { atMs } = entry;
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
  const errors: Record<string, string> = { ...(parsed.success ? {} : fieldErrorsOf(parsed.error.issues)), ...entry.timingErrors() };
  if (mlError) errors.rateMgPerKgPerH = mlError;
  // What the pump really runs: its rate in steps (0.1 mL/h [default]) and the dose that step
  // delivers (docs/clinical-brief.md "Safety guards in the style of smart-pump drug libraries
  // [defaults unless marked]"). A running rate the pump sets as 0.0 mL/h is refused, as by the
  // API; only an IV protocol runs a pump (decision 0009).
  const pump = chart.protocol.route === "IV" && needsRate(type) && rateUg !== null && rateUg > 0
    ? pumpRounding({ rateUgPerKgPerH: rateUg, weightG, concentrationUgPerMl, settings: safetySettingsOf(limits) })
    : null;
  if (pump?.isZero && pump.message && !mlError) errors.rateMgPerKgPerH = pump.message;
  if (sequenceError) errors.type = sequenceError;
  // with a hard limit the override reason is stored on every flag of the entry (lib/server chartDoseEvent)
  const needsReason = softFlags.length > 0 && hardFlags.length === 0;
  if (needsReason && !hasReason(reason)) errors.reason = "a reason is required: this entry is outside the documented range";
  if (hardLimitOverride(hardFlags, overrideReason).isMissing || (isOverrideAsked && !hasReason(overrideReason))) errors.overrideReason = "a hard limit needs a physician's override reason";
  const passesHardLimit = hardFlags.length > 0 || isOverrideAsked;

  // a pump that cannot run the rate is said at once, not at the press
  const shown = (field: string) => entry.shown(errors, field, field === "rateMgPerKgPerH" && !!pump?.isZero);

  const onSubmit = (e: React.FormEvent) => entry.save<ChartedEntry & { doseEvent: { at: string } }>(e, {
    url: `/api/sessions/${chart.id}/dose-events`, schema: DoseEventSchema, errors, body: (stampMs) => buildBody(stampMs, flags),
    announce: (data) => `${correcting ? "Correction saved" : "Dose event saved"}: ${DOSE_TYPE_LABELS[type]} at ${formatHm(Date.parse(data.doseEvent.at), timeZone)}.`,
  });

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
    <ChartEntryFrame
      entry={entry} errors={errors} onSubmit={onSubmit} title="Dose event" correctionTitle="Correct dose event" submitLabel="Save dose event"
      correcting={correcting && correctionWhat(DOSE_TYPE_LABELS[correcting.type], correcting, timeZone)}
      danger={passesHardLimit}
      submitNote={passesHardLimit && <span className="self-center text-sm font-semibold text-hard">Saving passes a hard limit with the override above.</span>}
      afterTime={
        <>
          <LiveFlags flags={flags} />
          <TextField
            label="Reason" value={reason} onChange={setReason} onBlur={() => touch("reason")} multiline
            required={needsReason} tone={needsReason ? "soft" : "normal"} error={shown("reason")}
            hint={needsReason ? "Required: this entry raises a flag. Say why (e.g. the order, the patient's response)." : hardFlags.length ? "Optional: the override reason below is recorded on every flag of this entry." : "Optional."}
          />
          {(passesHardLimit || entry.serverErrors.overrideReason) && (
            <TextField
              label="Override reason" value={overrideReason} onChange={setOverrideReason} onBlur={() => touch("overrideReason")} multiline
              required tone="hard" error={shown("overrideReason")}
              hint="Hard limit: charted only with a physician's override. Name the physician and the reason."
            />
          )}
        </>
      }
    >
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
    </ChartEntryFrame>
  );
}
