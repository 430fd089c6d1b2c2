"use client";
import { hasReason, REASON_LENGTH_HINT } from "@/lib/domain/charting";
import { Fragment, useState } from "react";
import { interventionLabel, SEVERITY_LABELS, sideEffectLabel } from "@/lib/domain/side-effects";
import { isLateEntry, pumpRounding } from "@/lib/domain/guards";
import { safetySettingsOf } from "@/lib/domain/protocol";
import { formatC, formatMg, formatMgPerKgPerH, rateUgPerHFromPerKg } from "@/lib/domain/units";
import { formatDateHm, formatHm } from "./clinic-time";
import { FormAlert, TextField } from "@/app/_components/forms/fields";
import { RetractSchema } from "@/lib/validation/session";
import { DOSE_TYPE_LABELS, PAIN_PHASE_LABELS, replacementOf, type Chart, type Correction, type EntryKind } from "./rows";
import { useSession } from "./session-context";
import { useMutation } from "@/app/_components/data/use-mutation";
import { pendingStateOf } from "@/lib/client/offline-queue";

type Row = { id: string; at: string; enteredAt: string; queuedAt: string | null; enteredBy: string | null; correctsId: string | null; correctionReason: string | null; isRetraction: boolean; deviceReadingId?: string | null };

interface Column<R> {
  header: string;
  cell: (r: R) => React.ReactNode;
  numeric?: boolean;
}

const KIND_NOUN: Record<EntryKind, string> = { "dose-events": "dose event", vitals: "vitals", pain: "pain entry", "side-effects": "side-effect entry" };

/**
 * Every row ever charted of one kind. Replaced and withdrawn rows stay, struck through, with
 * the reason; rows in force can be corrected or marked entered in error while the session
 * allows charting.
 */
/** Entries shown per log before "Show all". */
const LOG_ROWS_SHOWN = 30;

function LogTable<R extends Row>({
  kind, title, rows, columns, canEdit, toCorrection,
}: {
  kind: EntryKind;
  title: string;
  rows: R[];
  columns: Column<R>[];
  canEdit: boolean;
  toCorrection: (r: R) => Correction;
}) {
  const { chart, timeZone, startCorrection } = useSession();
  const [retracting, setRetracting] = useState<string | null>(null);
  const [showAll, setShowAll] = useState(false);
  const visible = rows.filter((r) => !r.isRetraction);
  // A multi-day session holds hundreds of entries: the latest are shown, all on request.
  const shown = showAll ? visible : visible.slice(-LOG_ROWS_SHOWN);
  const headingId = `log-${kind}`;
  const day = (iso: string) => formatDateHm(Date.parse(iso), timeZone).slice(0, 10);
  const sessionDay = day(chart.openedAt);
  const when = (iso: string) => (day(iso) === sessionDay ? formatHm(Date.parse(iso), timeZone) : formatDateHm(Date.parse(iso), timeZone));

  return (
    <section aria-labelledby={headingId} className="card">
      <h3 id={headingId} className="mb-2 text-base font-semibold">{title} <span className="text-sm font-normal text-slate-600">({visible.length})</span></h3>
      {visible.length === 0 ? (
        <p className="text-sm text-slate-600">Nothing charted yet.</p>
      ) : (
        // a focusable region: on a phone the table scrolls sideways, and a keyboard user must
        // be able to scroll it even when no row has a button (WCAG 2.1.1, decision 0016)
        <div className="overflow-x-auto" role="region" aria-labelledby={headingId} tabIndex={0}>
          <table className="table-dense">
            <thead>
              <tr>
                <th scope="col">Time</th>
                {columns.map((c) => <th key={c.header} scope="col" className={c.numeric ? "text-right" : ""}>{c.header}</th>)}
                <th scope="col">Charted by</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => {
                const replacement = replacementOf(rows, r);
                const isStruck = replacement !== undefined;
                // a row only on this device (offline queue) cannot be corrected until the server has it
                const pending = pendingStateOf(r);
                const cellClass = isStruck ? "struck-cell" : "";
                return (
                  <Fragment key={r.id}>
                    <tr className={isStruck ? "row-struck bg-slate-50" : ""} data-entry-id={r.id} data-state={replacement ? (replacement.isRetraction ? "entered-in-error" : "corrected") : "in-force"}>
                      <td className={`tabular-nums ${cellClass}`}>{when(r.at)}</td>
                      {columns.map((c) => <td key={c.header} className={`${c.numeric ? "text-right tabular-nums" : ""} ${cellClass}`}>{c.cell(r)}</td>)}
                      <td className="text-xs">
                        {r.enteredBy ?? "—"}
                        {r.deviceReadingId && (
                          // a monitor reading the nurse validated (docs/decisions/0021-monitor-vitals-over-hl7.md): its source stays visible
                          <span className="mt-0.5 block font-semibold text-slate-700" data-testid="device-source">
                            source: {chart.deviceReadings?.find((d) => d.id === r.deviceReadingId)?.deviceName ?? "monitor"} (validated)
                          </span>
                        )}
                        {pending ? (
                          <span className="mt-0.5 block rounded bg-soft-50 px-1.5 py-0.5 font-bold text-soft" data-testid="waiting-to-sync">
                            ⟳ waiting to sync (saved on this device at {when(r.enteredAt)})
                          </span>
                        ) : r.queuedAt ? (
                          // decision 0017: saved on a device without network, stored when it returned
                          <span className="mt-0.5 block text-slate-600" data-testid="charted-offline">
                            charted offline at {when(r.queuedAt)}, synced at {when(r.enteredAt)}
                          </span>
                        ) : (
                          <span className="block text-slate-600">at {when(r.enteredAt)}</span>
                        )}
                        {/* charted more than 10 minutes after its clinical time (decision 0009), judged at the press when charted offline (decision 0017) */}
                        {!pending && isLateEntry(Date.parse(r.at), Date.parse(r.queuedAt ?? r.enteredAt)) && !r.isRetraction && (
                          <span className="mt-0.5 inline-block rounded bg-soft-50 px-1.5 py-0.5 font-bold uppercase text-soft" data-testid="late-entry">late entry</span>
                        )}
                      </td>
                      <td className="min-w-56 text-xs">
                        {replacement ? (
                          <span>
                            <span className="rounded bg-slate-200 px-1.5 py-0.5 font-bold uppercase text-slate-700">
                              {replacement.isRetraction ? "entered in error" : "corrected"}
                            </span>
                            <span className="mt-1 block">
                              {replacement.correctionReason} — {replacement.enteredBy ?? "—"}, {when(replacement.enteredAt)}
                            </span>
                          </span>
                        ) : r.correctsId ? (
                          <span>
                            <span className="rounded bg-calm-50 px-1.5 py-0.5 font-bold uppercase text-calm">correction</span>
                            <span className="mt-1 block">{r.correctionReason}</span>
                          </span>
                        ) : (
                          <span className="text-slate-600">in force</span>
                        )}
                        {canEdit && !isStruck && !pending && (
                          <div className="no-print mt-1 flex flex-wrap gap-1">
                            <button type="button" className="btn-secondary px-3" onClick={() => startCorrection(toCorrection(r))}>Correct</button>
                            <button type="button" className="btn-secondary px-3" aria-expanded={retracting === r.id} onClick={() => setRetracting(retracting === r.id ? null : r.id)}>
                              Entered in error
                            </button>
                          </div>
                        )}
                      </td>
                    </tr>
                    {retracting === r.id && (
                      <tr className="no-print">
                        <td colSpan={columns.length + 3}>
                          <RetractForm kind={kind} entryId={r.id} what={`${KIND_NOUN[kind]} at ${when(r.at)}`} onClose={() => setRetracting(null)} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
          {visible.length > shown.length && (
            <button type="button" className="btn-secondary mt-2 no-print" onClick={() => setShowAll(true)}>
              Show all {visible.length} entries (the latest {shown.length} are shown)
            </button>
          )}
        </div>
      )}
    </section>
  );
}

function RetractForm({ kind, entryId, what, onClose }: { kind: EntryKind; entryId: string; what: string; onClose: () => void }) {
  const { chart, onSaved } = useSession();
  const [reason, setReason] = useState("");
  const [submitted, setSubmitted] = useState(false);
  const { submit, pending, formError, fieldErrors, error: submitError } = useMutation();
  const error = fieldErrors.correctionReason ?? (submitted && !hasReason(reason) ? `give a reason (${REASON_LENGTH_HINT})` : undefined);
  async function onSubmit(e: React.FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    if (!hasReason(reason)) return;
    const result = await submit(`/api/sessions/${chart.id}/${kind}/${entryId}/retract`, { correctionReason: reason.trim() }, { schema: RetractSchema });
    if (!result?.ok) return;
    onSaved(`Marked entered in error: ${what}.`);
    onClose();
  }
  return (
    <form onSubmit={onSubmit} noValidate className="space-y-2 rounded-md border-2 border-slate-300 bg-slate-50 p-3">
      <p className="text-sm">The entry stays in the chart, struck through, and no longer counts (totals, charts, flags).</p>
      <TextField label="Correction reason" value={reason} onChange={setReason} error={error} required autoComplete="off" />
      <FormAlert message={formError} error={submitError} />
      <div className="flex gap-2">
        <button type="submit" className="btn-danger" disabled={pending}>{pending ? "Saving…" : "Confirm entered in error"}</button>
        <button type="button" className="btn-secondary" onClick={onClose}>Cancel</button>
      </div>
    </form>
  );
}

export function ChartLogs({ chart, canChartDose, canChartObservations }: { chart: Chart; canChartDose: boolean; canChartObservations: boolean }) {
  const { weightG, concentrationUgPerMl } = chart;
  const pumpSettings = safetySettingsOf(chart.protocol.limits);
  return (
    <div className="space-y-4">
      <LogTable
        kind="dose-events" title="Dose event log" rows={chart.doseEvents} canEdit={canChartDose}
        toCorrection={(row) => ({ kind: "dose-events", row })}
        columns={[
          { header: "Event", cell: (r) => DOSE_TYPE_LABELS[r.type] },
          { header: "mg/kg/h", numeric: true, cell: (r) => (r.rateUgPerKgPerH !== null ? formatMgPerKgPerH(r.rateUgPerKgPerH) : "") },
          { header: "mg/h", numeric: true, cell: (r) => (r.rateUgPerKgPerH !== null ? formatMg(rateUgPerHFromPerKg(r.rateUgPerKgPerH, weightG)) : "") },
          // the pump's setting at its step, not the exact mL/h: what the nurse reads on the pump
          { header: "Pump mL/h", numeric: true, cell: (r) => (r.rateUgPerKgPerH !== null && r.rateUgPerKgPerH > 0 ? pumpRounding({ rateUgPerKgPerH: r.rateUgPerKgPerH, weightG, concentrationUgPerMl, settings: pumpSettings }).pumpMlPerHText : "") },
          // the bolus column only when a bolus was charted: the table must fit a tablet
          ...(chart.doseEvents.some((r) => r.bolusUg !== null)
            ? [{ header: "Bolus mg", numeric: true, cell: (r: Chart["doseEvents"][number]) => (r.bolusUg !== null ? formatMg(r.bolusUg) : "") }]
            : []),
          {
            header: "Reason",
            cell: (r) => (
              <>
                {r.reason}
                {r.overrideReason && <span className="block font-semibold text-hard">Override: {r.overrideReason}</span>}
              </>
            ),
          },
        ]}
      />
      <LogTable
        kind="vitals" title="Vitals log" rows={chart.vitals} canEdit={canChartObservations}
        toCorrection={(row) => ({ kind: "vitals", row })}
        columns={[
          { header: "BP mmHg", numeric: true, cell: (r) => <>{r.systolicMmHg}/{r.diastolicMmHg}{r.isBaseline && <span className="ml-1 text-xs text-calm">baseline</span>}</> },
          { header: "HR /min", numeric: true, cell: (r) => r.heartRatePerMin },
          { header: "SpO2 %", numeric: true, cell: (r) => r.spo2Pct },
          { header: "RR /min", numeric: true, cell: (r) => r.respRatePerMin },
          { header: "Temp °C", numeric: true, cell: (r) => (r.temperatureDeciC !== null ? formatC(r.temperatureDeciC) : "") },
          { header: "RASS", numeric: true, cell: (r) => (r.sedationRass !== null ? (r.sedationRass > 0 ? `+${r.sedationRass}` : r.sedationRass) : "") },
        ]}
      />
      <LogTable
        kind="pain" title="Pain log" rows={chart.painScores} canEdit={canChartObservations}
        toCorrection={(row) => ({ kind: "pain", row })}
        columns={[
          { header: "Phase", cell: (r) => <>{PAIN_PHASE_LABELS[r.phase]}{r.reportedBy === "PATIENT" && <span className="ml-1 text-xs font-semibold" data-testid="patient-reported">reported by the patient</span>}</> },
          { header: "Score", numeric: true, cell: (r) => (r.scale === "NRS" ? `${r.score}/10 NRS` : `${r.score} mm VAS`) },
        ]}
      />
      <LogTable
        kind="side-effects" title="Side-effect log" rows={chart.sideEffects} canEdit={canChartObservations}
        toCorrection={(row) => ({ kind: "side-effects", row })}
        columns={[
          { header: "Side effect", cell: (r) => sideEffectLabel(r.kind) },
          { header: "Severity", cell: (r) => `${r.severity} – ${SEVERITY_LABELS[r.severity] ?? ""}` },
          { header: "Intervention", cell: (r) => (r.intervention ? interventionLabel(r.intervention) : "—") },
          { header: "Note", cell: (r) => r.note },
        ]}
      />
    </div>
  );
}
