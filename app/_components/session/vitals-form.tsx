"use client";
import { useEffect, useRef, useState } from "react";
import { evaluateVitals, evaluateVitalsOverdue } from "@/lib/domain/flags";
import { formatC } from "@/lib/domain/units";
import { VitalsSchema } from "@/lib/validation/session";
import { TextField } from "@/app/_components/forms/fields";
import type { QueuedEntry } from "@/lib/client/offline-queue";
import { ChartEntryFrame, CorrectableEntry, correctionWhat, useChartEntry, type ChartedEntry } from "./chart-entry";
import { formatHm } from "./clinic-time";
import { LiveFlags } from "./flag-display";
import { queuedFieldText } from "./queued-entry-text";
import { effectiveRows, fieldErrorsOf, readNumber, type VitalsRow } from "./rows";

type Input = HTMLInputElement & HTMLTextAreaElement;

/** The fields in the order a nurse reads them off the monitor; a refused save focuses the first bad one. */
const FIELD_ORDER = ["systolicMmHg", "diastolicMmHg", "heartRatePerMin", "spo2Pct", "respRatePerMin", "temperatureC", "sedationRass"] as const;

/** Vitals, keyboard-first: type, Tab, type ... Enter saves; focus returns to systolic. */
export function VitalsForm() {
  return (
    <CorrectableEntry kind="vitals">
      {({ correcting, recharting, onDone, generation }) => <VitalsFormInner correcting={correcting} recharting={recharting} focusOnMount={generation > 0 && !recharting} onDone={onDone} />}
    </CorrectableEntry>
  );
}

function VitalsFormInner({ correcting, recharting, focusOnMount, onDone }: { correcting: VitalsRow | null; recharting: QueuedEntry | null; focusOnMount: boolean; onDone: () => void }) {
  const entry = useChartEntry({ correcting, recharting, onDone });
  const { chart, formId, timeZone } = entry;
  const systolicRef = useRef<Input>(null);
  useEffect(() => {
    if (focusOnMount) systolicRef.current?.focus();
  }, [focusOnMount]);

  // a correction starts from the charted row, a refused entry charted again from its body as sent
  const str = (n: number | null | undefined) => (n === null || n === undefined ? "" : String(n));
  const start = (field: (typeof FIELD_ORDER)[number], row: number | null | undefined) => (correcting ? str(row) : queuedFieldText(recharting, field));
  const [sbp, setSbp] = useState(start("systolicMmHg", correcting?.systolicMmHg));
  const [dbp, setDbp] = useState(start("diastolicMmHg", correcting?.diastolicMmHg));
  const [hr, setHr] = useState(start("heartRatePerMin", correcting?.heartRatePerMin));
  const [spo2, setSpo2] = useState(start("spo2Pct", correcting?.spo2Pct));
  const [rr, setRr] = useState(start("respRatePerMin", correcting?.respRatePerMin));
  const [temp, setTemp] = useState(correcting ? (correcting.temperatureDeciC != null ? formatC(correcting.temperatureDeciC) : "") : queuedFieldText(recharting, "temperatureC"));
  const [rass, setRass] = useState(start("sedationRass", correcting?.sedationRass));
  const [reason, setReason] = useState(queuedFieldText(recharting, "reason"));

  const values = {
    systolicMmHg: readNumber(sbp),
    diastolicMmHg: readNumber(dbp),
    heartRatePerMin: readNumber(hr),
    spo2Pct: readNumber(spo2),
    respRatePerMin: readNumber(rr),
    temperatureC: readNumber(temp),
    sedationRass: readNumber(rass),
  };
  const buildBody = (stampMs: number) => ({
    ...entry.timingFields(stampMs),
    ...Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)),
    ...(reason.trim() ? { reason: reason.trim() } : {}),
  });
  const parsed = VitalsSchema.safeParse(buildBody(entry.atMs));
  const errors: Record<string, string> = { ...(parsed.success ? {} : fieldErrorsOf(parsed.error.issues)), ...entry.timingErrors() };

  // the same baseline and previous reading the server uses
  const effective = effectiveRows(chart.vitals).filter((r) => r.id !== correcting?.id);
  const baseline = effective.find((r) => r.isBaseline) ?? effective[0] ?? null;
  const previous = effective.filter((r) => Date.parse(r.at) <= entry.atMs).at(-1) ?? null;
  const isFirst = effective.length === 0;
  const flags = parsed.success
    ? [
        ...evaluateVitals({ limits: chart.protocol.limits, vitals: parsed.data, baseline }),
        ...(correcting ? [] : evaluateVitalsOverdue({ limits: chart.protocol.limits, previousAtMs: previous ? Date.parse(previous.at) : Date.parse(chart.openedAt), atMs: entry.atMs })),
      ]
    : [];

  const onSubmit = (e: React.FormEvent) => entry.save<ChartedEntry & { vitals: { at: string } }>(e, {
    url: `/api/sessions/${chart.id}/vitals`, schema: VitalsSchema, errors, body: buildBody,
    announce: (data) => `${correcting ? "Vitals correction saved" : "Vitals saved"} at ${formatHm(Date.parse(data.vitals.at), timeZone)}.`,
    onInvalid: () => {
      const firstBad = FIELD_ORDER.find((f) => errors[f]);
      if (firstBad) document.getElementById(`${formId}-${firstBad}`)?.focus();
    },
  });

  const field = (key: (typeof FIELD_ORDER)[number], label: string, value: string, set: (v: string) => void, extra: { ref?: React.Ref<Input>; inputMode?: "numeric" | "decimal" | "text" } = {}) => (
    <TextField
      id={`${formId}-${key}`} ref={extra.ref} label={label} value={value} onChange={set} onBlur={() => entry.touch(key)}
      inputMode={extra.inputMode ?? "numeric"} unit="" error={entry.shown(errors, key)}
    />
  );

  return (
    <ChartEntryFrame
      entry={entry} errors={errors} onSubmit={onSubmit} title="Vitals" correctionTitle="Correct vitals" submitLabel="Save vitals"
      correcting={correcting && correctionWhat("vitals", correcting, timeZone)}
      afterTime={
        <>
          <LiveFlags flags={flags} title="These vitals will raise" />
          {flags.length > 0 && (
            <TextField label="Action taken" value={reason} onChange={setReason} error={entry.shown(errors, "reason")} hint="Optional: what was done (e.g. rate slowed, physician informed)." />
          )}
        </>
      }
    >
      {isFirst && !correcting && <p className="rounded-md bg-calm-50 px-3 py-2 text-sm">First set of this session: it is recorded as the <strong>baseline</strong> (BP rises are measured from it).</p>}
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-3">
        {field("systolicMmHg", "Systolic (mmHg)", sbp, setSbp, { ref: systolicRef })}
        {field("diastolicMmHg", "Diastolic (mmHg)", dbp, setDbp)}
        {field("heartRatePerMin", "Heart rate (/min)", hr, setHr)}
        {field("spo2Pct", "SpO2 (%)", spo2, setSpo2)}
        {field("respRatePerMin", "Resp. rate (/min)", rr, setRr)}
        {field("temperatureC", "Temperature (°C)", temp, setTemp, { inputMode: "decimal" })}
        {field("sedationRass", "Sedation (RASS)", rass, setRass, { inputMode: "text" })}
      </div>
      <p className="text-xs text-slate-600">Temperature and sedation are optional. RASS −5 (unarousable) to +4 (combative), 0 alert and calm.</p>
    </ChartEntryFrame>
  );
}
