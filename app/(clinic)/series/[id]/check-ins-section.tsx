"use client";
import dynamic from "next/dynamic";
import type { PegPoint } from "@/app/_components/charts/peg-chart";

const PegChart = dynamic(() => import("@/app/_components/charts/peg-chart").then((m) => m.PegChart), {
  ssr: false,
  loading: () => <div className="card h-[260px] animate-pulse" aria-busy="true" />,
});

export interface CheckInRow extends PegPoint {
  id: string; dueDay: string | null; note: string | null; sideEffects: { label: string; severity: number; severityLabel: string }[];
}

/**
 * The patient's check-ins on the series review (decision 0020): the PEG chart, each check-in
 * (patient-reported, so labelled as such), missed expected days and the link's state.
 */
export function CheckInsSection({ rows, missedDays, linkText }: { rows: CheckInRow[]; missedDays: string[]; linkText: string }) {
  return (
    <section className="card space-y-3" aria-labelledby="checkins-h" data-testid="check-ins">
      <h2 id="checkins-h" className="text-lg font-semibold">Patient check-ins <span className="text-sm font-normal text-slate-600">(reported by the patient)</span></h2>
      <p className="text-sm text-slate-700">{linkText}</p>
      {missedDays.length > 0 && <p className="flag-box-soft" data-testid="missed-check-ins">Missed check-in{missedDays.length === 1 ? "" : "s"}: {missedDays.join(", ")}</p>}
      {rows.length > 0 && <PegChart points={rows} />}
      {rows.length === 0 ? <p className="text-sm text-slate-600">No check-ins yet.</p> : (
        <div className="max-w-full overflow-x-auto">
          <table className="table-dense">
            <thead><tr><th>Day</th><th>Pain</th><th>Enjoyment</th><th>Activity</th><th>PEG</th><th>Side effects</th><th>Note</th></tr></thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} data-testid="check-in-row">
                  <td>{r.day}{r.dueDay ? <span className="block text-xs text-slate-600">late, for {r.dueDay}</span> : null}</td>
                  <td className="tabular-nums">{r.painNrs}</td>
                  <td className="tabular-nums">{r.enjoymentNrs}</td>
                  <td className="tabular-nums">{r.activityNrs}</td>
                  <td className="font-semibold tabular-nums">{r.peg.toFixed(1)}</td>
                  <td>{r.sideEffects.length ? r.sideEffects.map((s) => <span key={s.label} className={`mr-2 inline-block ${s.severity >= 3 ? "font-bold text-hard" : ""}`}>{s.label}: {s.severityLabel}</span>) : "none"}</td>
                  <td className="max-w-xs whitespace-pre-wrap break-words">{r.note ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
