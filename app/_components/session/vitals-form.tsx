"use client";
import { hasReason, isBackTimed, REASON_LENGTH_HINT } from "@/lib/domain/charting";
import { useEffect, useId, useRef, useState } from "react";
import { evaluateVitals, evaluateVitalsOverdue } from "@/lib/domain/flags";
import { formatC } from "@/lib/domain/units";
import { VitalsSchema } from "@/lib/validation/session";
import { useNow, useNowReader } from "./clock";
import { formatHm, toLocalInputValue } from "./clinic-time";
import { CorrectionBanner } from "./correction-banner";
import { FormAlert, TextField } from "@/app/_components/forms/fields";
import { LiveFlags } from "./flag-display";
import { effectiveRows, fieldErrorsOf, FUTURE_SKEW_MS, readNumber, type VitalsRow } from "./rows";
import { useSession } from "./session-context";
import { resolveTime, TimeField } from "./time-field";
import { useMutation } from "@/app/_components/data/use-mutation";

type Input = HTMLInputElement & HTMLTextAreaElement;

/** Vitals, keyboard-first: type, Tab, type ... Enter saves; focus returns to systolic. */
export function VitalsForm() {
  const { correction } = useSession();
  const correcting = correction?.kind === "vitals" ? correction.row : null;
  const [generation, setGeneration] = useState(0);
  return (
    <VitalsFormInner
      key={`${correcting?.id ?? "new"}-${generation}`}
      correcting={correcting}
      focusOnMount={generation > 0}
      onDone={() => setGeneration((g) => g + 1)}
    />
  );
}

function VitalsFormInner({ correcting, focusOnMount, onDone }: { correcting: VitalsRow | null; focusOnMount: boolean; onDone: () => void }) {
  const { chart, timeZone, onSaved, cancelCorrection } = useSession();
  const formId = useId();
  const nowMs = useNow(15_000);
  const readNow = useNowReader();
  const { submit, pending, fieldErrors: serverErrors, formError, error: submitError } = useMutation();
  const systolicRef = useRef<Input>(null);
  const correctionRef = useRef<Input>(null);
  useEffect(() => {
    if (focusOnMount) systolicRef.current?.focus();
  }, [focusOnMount]);

  const str = (n: number | null | undefined) => (n === null || n === undefined ? "" : String(n));
  const initialAt = correcting ? toLocalInputValue(Date.parse(correcting.at), timeZone) : null;
  const [sbp, setSbp] = useState(str(correcting?.systolicMmHg));
  const [dbp, setDbp] = useState(str(correcting?.diastolicMmHg));
  const [hr, setHr] = useState(str(correcting?.heartRatePerMin));
  const [spo2, setSpo2] = useState(str(correcting?.spo2Pct));
  const [rr, setRr] = useState(str(correcting?.respRatePerMin));
  const [temp, setTemp] = useState(correcting?.temperatureDeciC != null ? formatC(correcting.temperatureDeciC) : "");
  const [rass, setRass] = useState(str(correcting?.sedationRass));
  const [atText, setAtText] = useState<string | null>(initialAt);
  const [reason, setReason] = useState("");
  const [backTimeReason, setBackTimeReason] = useState("");
  const [correctionReason, setCorrectionReason] = useState("");
  const [submitted, setSubmitted] = useState(false);
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const touch = (f: string) => () => setTouched((t) => (t[f] ? t : { ...t, [f]: true }));

  const openedAtMs = Date.parse(chart.openedAt);
  const pinnedMs = correcting && atText === initialAt ? Date.parse(correcting.at) : null;
  const time = pinnedMs !== null ? { atMs: pinnedMs, isBackTimed: isBackTimed(nowMs, pinnedMs), error: undefined } : resolveTime(atText, nowMs, timeZone, openedAtMs, FUTURE_SKEW_MS);
  const atMs = time.atMs ?? nowMs;

  const values = {
    systolicMmHg: readNumber(sbp),
    diastolicMmHg: readNumber(dbp),
    heartRatePerMin: readNumber(hr),
    spo2Pct: readNumber(spo2),
    respRatePerMin: readNumber(rr),
    temperatureC: readNumber(temp),
    sedationRass: readNumber(rass),
  };
  const buildBody = (stampMs: number) => {
    const backTimed = isBackTimed(nowMs, stampMs) || !!serverErrors.backTimeReason;
    return {
      at: new Date(stampMs).toISOString(),
      ...Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)),
      ...(reason.trim() ? { reason: reason.trim() } : {}),
      ...(backTimed ? { backTimeReason: correcting ? `Correction: ${correctionReason.trim()}`.slice(0, 1000) : backTimeReason.trim() } : {}),
      ...(correcting ? { correctsId: correcting.id, correctionReason: correctionReason.trim() } : {}),
    };
  };
  const parsed = VitalsSchema.safeParse(buildBody(atMs));
  const errors: Record<string, string> = parsed.success ? {} : fieldErrorsOf(parsed.error.issues);
  if (time.error) errors.at = time.error;
  if (time.isBackTimed && !correcting && !hasReason(backTimeReason)) errors.backTimeReason = `give a reason for charting this late (${REASON_LENGTH_HINT})`;
  if (correcting && !hasReason(correctionReason)) errors.correctionReason = `give a reason for the correction (${REASON_LENGTH_HINT})`;

  // the same baseline and previous reading the server uses
  const effective = effectiveRows(chart.vitals).filter((r) => r.id !== correcting?.id);
  const baseline = effective.find((r) => r.isBaseline) ?? effective[0] ?? null;
  const previous = effective.filter((r) => Date.parse(r.at) <= atMs).at(-1) ?? null;
  const isFirst = effective.length === 0;
  const flags = parsed.success
    ? [
        ...evaluateVitals({ limits: chart.protocol.limits, vitals: parsed.data, baseline }),
        ...(correcting ? [] : evaluateVitalsOverdue({ limits: chart.protocol.limits, previousAtMs: previous ? Date.parse(previous.at) : openedAtMs, atMs })),
      ]
    : [];

  const shown = (field: string) => serverErrors[field] ?? (submitted || touched[field] ? errors[field] : undefined);

  async function onSubmit(e: React.FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    if (Object.keys(errors).length > 0) {
      const order = ["systolicMmHg", "diastolicMmHg", "heartRatePerMin", "spo2Pct", "respRatePerMin", "temperatureC", "sedationRass"];
      const firstBad = order.find((f) => errors[f]);
      if (firstBad) document.getElementById(`${formId}-${firstBad}`)?.focus();
      return;
    }
    const stampedNow = atText === null && !correcting;
    const body = buildBody(stampedNow ? readNow() : atMs);
    // pressing save again after a lost connection resends the first body, its time included
    const result = await submit<{ vitals: { at: string }; flags: { code: string; severity: string }[] }>(
      `/api/sessions/${chart.id}/vitals`, body, { schema: VitalsSchema, intent: stampedNow ? { ...body, at: "now" } : body },
    );
    if (!result?.ok) return;
    onSaved(`${correcting ? "Vitals correction saved" : "Vitals saved"} at ${formatHm(Date.parse(result.data.vitals.at), timeZone)}.`, result.data.flags);
    if (correcting) cancelCorrection();
    onDone();
  }

  const field = (key: string, label: string, value: string, set: (v: string) => void, unit: string, extra: { ref?: React.Ref<Input>; inputMode?: "numeric" | "decimal" | "text" } = {}) => (
    <TextField
      id={`${formId}-${key}`}
      ref={extra.ref}
      label={label}
      value={value}
      onChange={set}
      onBlur={touch(key)}
      inputMode={extra.inputMode ?? "numeric"}
      unit={unit}
      error={shown(key)}
    />
  );

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby={`${formId}-h`} className="card space-y-4">
      <h2 id={`${formId}-h`} className="text-lg font-semibold">{correcting ? "Correct vitals" : "Vitals"}</h2>
      {correcting && (
        <CorrectionBanner
          what={`vitals at ${formatHm(Date.parse(correcting.at), timeZone)}`} by={correcting.enteredBy}
          reason={correctionReason} onReason={setCorrectionReason} error={shown("correctionReason")} onCancel={cancelCorrection} inputRef={correctionRef}
        />
      )}
      {isFirst && !correcting && <p className="rounded-md bg-calm-50 px-3 py-2 text-sm">First set of this session: it is recorded as the <strong>baseline</strong> (BP rises are measured from it).</p>}
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-3">
        {field("systolicMmHg", "Systolic (mmHg)", sbp, setSbp, "", { ref: systolicRef })}
        {field("diastolicMmHg", "Diastolic (mmHg)", dbp, setDbp, "")}
        {field("heartRatePerMin", "Heart rate (/min)", hr, setHr, "")}
        {field("spo2Pct", "SpO2 (%)", spo2, setSpo2, "")}
        {field("respRatePerMin", "Resp. rate (/min)", rr, setRr, "")}
        {field("temperatureC", "Temperature (°C)", temp, setTemp, "", { inputMode: "decimal" })}
        {field("sedationRass", "Sedation (RASS)", rass, setRass, "", { inputMode: "text" })}
      </div>
      <p className="text-xs text-slate-600">Temperature and sedation are optional. RASS −5 (unarousable) to +4 (combative), 0 alert and calm.</p>
      <TimeField
        value={pinnedMs !== null ? initialAt : atText} onChange={setAtText} timeZone={timeZone} error={shown("at")}
        backTimeReason={backTimeReason} onBackTimeReason={setBackTimeReason} backTimeError={shown("backTimeReason")}
        needsBackTimeReason={time.isBackTimed || !!serverErrors.backTimeReason} hideBackTime={!!correcting}
      />
      <LiveFlags flags={flags} title="These vitals will raise" />
      {flags.length > 0 && (
        <TextField label="Action taken" value={reason} onChange={setReason} error={shown("reason")} hint="Optional: what was done (e.g. rate slowed, physician informed)." />
      )}
      <FormAlert message={formError} error={submitError} />
      <button type="submit" className="btn-primary min-h-12 px-6 text-base" disabled={pending}>{pending ? "Saving…" : "Save vitals"}</button>
    </form>
  );
}
