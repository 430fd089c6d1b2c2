"use client";
import { useState } from "react";
import { hasReason, REASON_LENGTH_HINT } from "@/lib/domain/charting";
import { formatC } from "@/lib/domain/units";
import { AcceptDeviceVitalsSchema, RejectDeviceVitalsSchema } from "@/lib/validation/devices";
import { parseNumberInput } from "@/lib/validation/number-input";
import { FormAlert, TextField } from "@/app/_components/forms/fields";
import { useMutation } from "@/app/_components/data/use-mutation";
import { formatHm } from "./clinic-time";
import type { Chart } from "./rows";
import { useSession } from "./session-context";

type Reading = Chart["deviceReadings"][number];

// Monitor readings waiting for the nurse (docs/decisions/0021-monitor-vitals-over-hl7.md):
// shown apart from the charted vitals, dashed and labelled "unverified" with their source,
// until she accepts one (it becomes a charted set in her name) or rejects it with a reason.

const CORE = [
  { field: "systolicMmHg", label: "Systolic", unit: "mmHg" },
  { field: "diastolicMmHg", label: "Diastolic", unit: "mmHg" },
  { field: "heartRatePerMin", label: "Heart rate", unit: "/min" },
  { field: "spo2Pct", label: "SpO2", unit: "%" },
  { field: "respRatePerMin", label: "Resp. rate", unit: "/min" },
] as const;

export function DeviceReadingsPanel({ canValidate }: { canValidate: boolean }) {
  const { chart } = useSession();
  const pending = (chart.deviceReadings ?? []).filter((r) => r.status === "PENDING");
  if (pending.length === 0) return null;
  return (
    <section aria-labelledby="device-readings-h" className="card space-y-3 border-2 border-dashed border-sky-700" data-testid="device-readings">
      <h2 id="device-readings-h" className="text-lg font-semibold">
        From the monitor <span className="text-sm font-normal text-slate-600">({pending.length} unverified)</span>
      </h2>
      <p className="text-sm text-slate-600">Not charted until you check each reading against the patient and accept it.</p>
      <ul className="space-y-3">
        {pending.map((r) => <ReadingItem key={r.id} reading={r} canValidate={canValidate} />)}
      </ul>
    </section>
  );
}

function ReadingItem({ reading: r, canValidate }: { reading: Reading; canValidate: boolean }) {
  const { timeZone, onSaved, chart } = useSession();
  const [mode, setMode] = useState<"idle" | "reject">("idle");
  const [reason, setReason] = useState("");
  const [missingText, setMissingText] = useState<Record<string, string>>({});
  const [submitted, setSubmitted] = useState(false);
  const accept = useMutation();
  const reject = useMutation();
  const missing = CORE.filter((c) => r[c.field] === null);
  const values = CORE.filter((c) => r[c.field] !== null).map((c) => `${c.label} ${r[c.field]} ${c.unit}`);
  if (r.meanMmHg !== null) values.push(`Mean ${r.meanMmHg} mmHg`);
  if (r.temperatureDeciC !== null) values.push(`Temp ${formatC(r.temperatureDeciC / 10)}`);

  async function onAccept(e: React.FormEvent) {
    e.preventDefault();
    const body = Object.fromEntries(missing.map((c) => [c.field, parseNumberInput(missingText[c.field] ?? "")]).filter(([, v]) => v !== undefined));
    const result = await accept.submit(`/api/sessions/${chart.id}/device-vitals/${r.id}/accept`, body, { schema: AcceptDeviceVitalsSchema });
    if (result?.ok) onSaved(`Monitor reading of ${formatHm(Date.parse(r.at), timeZone)} accepted and charted.`, (result.data as { flags?: { code: string; severity: string }[] }).flags);
  }
  async function onReject(e: React.FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    if (!hasReason(reason)) return;
    const result = await reject.submit(`/api/sessions/${chart.id}/device-vitals/${r.id}/reject`, { reason: reason.trim() }, { schema: RejectDeviceVitalsSchema });
    if (result?.ok) onSaved(`Monitor reading of ${formatHm(Date.parse(r.at), timeZone)} rejected.`);
  }
  const reasonError = reject.fieldErrors.reason ?? (submitted && !hasReason(reason) ? `give a reason (${REASON_LENGTH_HINT})` : undefined);

  return (
    <li className={`rounded-md border border-dashed p-3 ${r.criticalText ? "border-red-700 bg-red-50" : "border-slate-400 bg-sky-50"}`} data-testid="device-reading" data-reading-id={r.id}>
      <div className="flex flex-wrap items-center gap-2">
        <span className="rounded bg-white px-2 py-0.5 text-xs font-bold uppercase ring-1 ring-current">Unverified</span>
        <span className="font-semibold tabular-nums">{formatHm(Date.parse(r.at), timeZone)}</span>
        <span className="text-sm text-slate-700">from {r.deviceName}</span>
      </div>
      {r.criticalText && <p className="mt-1 font-bold text-red-800" role="alert" data-testid="device-critical">Critical: {r.criticalText}</p>}
      <p className="mt-1 text-sm tabular-nums" data-testid="device-values">{values.join(" · ")}</p>
      {canValidate && (
        <div className="no-print mt-2 space-y-2">
          <form onSubmit={onAccept} noValidate className="flex flex-wrap items-end gap-2">
            {missing.map((c) => (
              <TextField
                key={c.field} className="w-32" label={`${c.label} (${c.unit}), not sent`} inputMode="decimal"
                value={missingText[c.field] ?? ""} onChange={(v) => setMissingText((m) => ({ ...m, [c.field]: v }))} error={accept.fieldErrors[c.field]}
              />
            ))}
            <button type="submit" className="btn-primary mb-[2px]" disabled={accept.pending}>{accept.pending ? "Saving…" : "Accept and chart"}</button>
            {mode === "idle" && <button type="button" className="btn-secondary mb-[2px]" onClick={() => setMode("reject")}>Reject…</button>}
          </form>
          <FormAlert message={accept.formError} error={accept.error} />
          {mode === "reject" && (
            <form onSubmit={onReject} noValidate className="flex flex-wrap items-end gap-2">
              <TextField className="min-w-48 flex-1" label="Why is this reading wrong?" value={reason} onChange={setReason} error={reasonError} required />
              <button type="submit" className="btn-secondary mb-[2px]" disabled={reject.pending}>{reject.pending ? "Saving…" : "Reject reading"}</button>
              <button type="button" className="btn-secondary mb-[2px]" onClick={() => setMode("idle")}>Cancel</button>
              <div className="w-full"><FormAlert message={reject.formError} error={reject.error} /></div>
            </form>
          )}
        </div>
      )}
    </li>
  );
}

