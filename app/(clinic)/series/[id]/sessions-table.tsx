"use client";
import Link from "next/link";
import type { DoseZone } from "@/lib/domain/series-summary";
import { SEVERITY_LABELS, sideEffectLabel } from "@/lib/domain/side-effects";

/** One session of the review's sessions table: only what the table shows. */
export interface SessionsTableRow {
  sessionId: string;
  sequence: number;
  status: "IN_PROGRESS" | "COMPLETED" | "SIGNED";
  date: string;
  plannedDate: string | null;
  daysFromPlan: number | null;
  isLate: boolean;
  intervalTooShort: boolean;
  pre: { score: number; scale: "NRS" | "VAS" } | null;
  post: { score: number; scale: "NRS" | "VAS" } | null;
  reliefPct: number | null;
  durabilityDays: number | null;
  hasFollowUps: boolean;
  totalMgPerKg: number;
  peakRateMgPerKgPerH: number;
  peakRateZone: DoseZone;
  totalZone: DoseZone;
  sideEffects: Record<string, number>;
  openFlags: number;
  openHardFlags: number;
  ackedFlags: number;
}

/**
 * The per-session table of the series review, a client component: its rows cross from the
 * server inside the summary's one JSON string, a fraction of what the same table costs as a
 * server-rendered element tree in React's server payload (~13 elements and ~90 values per row;
 * bench/RESULTS.md; decision 0005).
 */
export function SessionsTable({ rows }: { rows: SessionsTableRow[] }) {
  if (rows.length === 0) return <p className="text-sm text-slate-600">No sessions yet.</p>;
  return (
    <div className="overflow-x-auto"><table className="table-dense" data-testid="sessions-table">
      <thead>
        <tr>
          <th>#</th><th>Date</th><th>Planned</th><th>Pain before → after</th><th>Relief</th><th>Relief lasted</th>
          <th>Total mg/kg</th><th>Peak mg/kg/h</th><th>Side effects</th><th>Flags open / ack</th><th>Status</th><th />
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => {
          const outRate = r.peakRateZone === "ABOVE_SOFT" || r.peakRateZone === "BELOW_SOFT" || r.peakRateZone === "AT_OR_ABOVE_HARD";
          const outTotal = r.totalZone === "ABOVE_SOFT";
          const effects = Object.entries(r.sideEffects);
          return (
            <tr key={r.sessionId}>
              <td className="tabular-nums">{r.sequence}</td>
              <td className="whitespace-nowrap tabular-nums">{r.date}</td>
              <td className="whitespace-nowrap tabular-nums">
                {r.plannedDate ?? "—"}
                {r.isLate && <span className="ml-1 rounded bg-soft-50 px-1 text-xs font-bold text-soft">late +{r.daysFromPlan}d</span>}
                {r.intervalTooShort && <span className="ml-1 rounded bg-hard-50 px-1 text-xs font-bold text-hard">too soon</span>}
              </td>
              <td className="tabular-nums">{fmtPain(r.pre)} → {fmtPain(r.post)}</td>
              <td className={`tabular-nums font-semibold ${r.reliefPct !== null && r.reliefPct >= 30 ? "text-[#15803d]" : ""}`}>{r.reliefPct === null ? "—" : `${r.reliefPct}%`}</td>
              <td className="tabular-nums">{r.durabilityDays !== null ? `${r.durabilityDays} d` : r.hasFollowUps ? "ongoing" : "—"}</td>
              <td className={`tabular-nums ${outTotal ? "font-bold text-soft" : ""}`}>{r.totalMgPerKg.toFixed(3)}{outTotal && <ZoneMark hard={false} />}</td>
              <td className={`tabular-nums ${outRate ? `font-bold ${r.peakRateZone === "AT_OR_ABOVE_HARD" ? "text-hard" : "text-soft"}` : ""}`}>{r.peakRateMgPerKgPerH.toFixed(3)}{outRate && <ZoneMark hard={r.peakRateZone === "AT_OR_ABOVE_HARD"} />}</td>
              <td>{effects.length === 0 ? "—" : effects.map(([k, v]) => `${sideEffectLabel(k)} (${SEVERITY_LABELS[v]})`).join(", ")}</td>
              <td className="tabular-nums">{r.openFlags ? <span className={`font-bold ${r.openHardFlags ? "text-hard" : "text-soft"}`} data-flag-severity={r.openHardFlags ? "HARD" : "SOFT"}><span aria-hidden="true">{r.openHardFlags ? "■ " : "▲ "}</span>{r.openFlags}<span className="sr-only"> open{r.openHardFlags ? `, ${r.openHardFlags} at a hard limit` : ", soft flags"}</span></span> : 0} / {r.ackedFlags}</td>
              <td>{r.status.toLowerCase().replace("_", " ")}</td>
              <td><Link className="text-calm hover:underline" href={`/sessions/${r.sessionId}`}>Chart<span className="sr-only"> of session {r.sequence}</span></Link></td>
            </tr>
          );
        })}
      </tbody>
    </table></div>
  );
}

function fmtPain(p: { score: number; scale: "NRS" | "VAS" } | null) {
  if (!p) return "—";
  return p.scale === "VAS" ? `${p.score} mm` : `${p.score}`;
}

/** Out of range said by a shape and words, not by the colour alone (docs/decisions/0016-accessibility.md). */
function ZoneMark({ hard }: { hard: boolean }) {
  return (
    <>
      <span aria-hidden="true" className="ml-1">{hard ? "■" : "▲"}</span>
      <span className="sr-only">{hard ? " at or above the hard limit" : " outside the documented range"}</span>
    </>
  );
}
