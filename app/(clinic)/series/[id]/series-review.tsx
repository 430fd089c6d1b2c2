"use client";
import Link from "next/link";
import { useMemo, useState, type ReactNode } from "react";
import { SEVERITY_LABELS } from "@/lib/domain/side-effects";
import { formatDateTime } from "@/lib/time";
import type { SeriesSummaryDto } from "@/lib/server/reviews";
import type { SeriesChartRow } from "@/app/_components/charts/series-charts";
import { useLiveEvents } from "@/app/_components/data/live";
import { read } from "@/app/_components/data/use-read";
import { FlagAcknowledgements } from "./flag-acknowledgements";
import { ReviewCharts } from "./review-charts";
import { ReviewPanel } from "./review-panel";
import { SessionsTable, type SessionsTableRow } from "./sessions-table";

const RESPONDER_TEXT = {
  SUBSTANTIAL: { text: "Responder: substantial (mean ≥ 50%)", cls: "bg-[#dcfce7] text-[#14532d]" },
  MEANINGFUL: { text: "Responder: meaningful (mean ≥ 30%)", cls: "bg-calm-50 text-calm" },
  NON_RESPONDER: { text: "Not responding (mean < 30%)", cls: "bg-soft-50 text-[#7c3a06]" },
  INSUFFICIENT_DATA: { text: "Not enough pain scores yet", cls: "bg-slate-100 text-slate-700" },
} as const;

const signed = (n: number | null, unit = "", digits = 1) => (n === null ? "—" : `${n > 0 ? "+" : ""}${n.toFixed(digits)}${unit}`);
const num = (n: number | null, digits = 1, unit = "") => (n === null ? "—" : `${n.toFixed(digits)}${unit}`);

/** The sessions table shows the latest half year of weekly sessions unless asked for all. */
const RECENT_SESSIONS = 26;

/**
 * The physician's series review. `summaryJson` is the JSON of the series summary the page read
 * (GET /api/series/{id}/summary answers the same DTO): one string crosses from the server,
 * which React's server payload carries natively instead of value by value (decision 0005).
 *
 * A write from any device (a nurse charting, the clock raising a flag, another physician's
 * acknowledgement) re-reads that summary as JSON within a second (decision 0014), the way the
 * session chart does: not a re-render of this recharts-heavy page from the server, which kept
 * a loaded machine over the second. The newer of that read and the page's own (after a sign
 * or an acknowledgement here refreshes the page) is shown, by the server's clock.
 */
export function SeriesReview({ summaryJson, timeZone: tz, canAcknowledge, canSign, showAll, checkIns }: {
  summaryJson: string; timeZone: string; canAcknowledge: boolean; canSign: boolean; showAll: boolean;
  /** the patient's check-ins section, rendered by the page (server) */
  checkIns?: ReactNode;
}) {
  const serverSummary = useMemo(() => JSON.parse(summaryJson) as SeriesSummaryDto, [summaryJson]);
  const [liveSummary, setLiveSummary] = useState<SeriesSummaryDto | null>(null);
  const s = liveSummary && Date.parse(liveSummary.serverNow) > Date.parse(serverSummary.serverNow) ? liveSummary : serverSummary;
  const seriesId = serverSummary.series.id;
  useLiveEvents(
    (e) => e.seriesId === seriesId,
    async () => {
      const result = await read<SeriesSummaryDto>(`/api/series/${seriesId}/summary`);
      if (result.ok) setLiveSummary(result.data);
    },
  );
  const r = s.response;
  const responder = RESPONDER_TEXT[r.responder];
  const when = useMemo(() => {
    const w: Record<string, string> = {};
    for (const f of s.flags) {
      w[f.id] = formatDateTime(f.raisedAt, tz);
      if (f.acknowledgedAt) w[`ack-${f.id}`] = formatDateTime(f.acknowledgedAt, tz);
      if (f.resolvedAt) w[`res-${f.id}`] = formatDateTime(f.resolvedAt, tz);
    }
    for (const rv of s.reviews) if (rv.signedAt) w[rv.id] = formatDateTime(rv.signedAt, tz);
    return w;
  }, [s, tz]);
  const band = s.protocol.band;
  const bandText = band.maxUgPerKgPerH !== null ? `${((band.minUgPerKgPerH ?? 0) / 1000).toFixed(3)}–${(band.maxUgPerKgPerH / 1000).toFixed(3)} mg/kg/h` : "no rate band";
  const rows = s.rows;
  const chartRows = useMemo(() => rows.map(chartRowOf), [rows]);
  const tableRows = useMemo(() => (showAll ? rows : rows.slice(-RECENT_SESSIONS)).map(tableRowOf), [rows, showAll]);
  return (
    <div className="space-y-4">
      <header className="card flex flex-wrap items-start justify-between gap-4">
        <div>
          <p className="text-sm"><Link className="text-calm hover:underline" href={`/patients/${s.patient.id}`}>← {s.patient.name}</Link> <span className="text-slate-600">MRN {s.patient.mrn}</span></p>
          <h1 className="text-2xl font-bold">{s.protocol.name} <span className="text-base font-normal text-slate-600">v{s.protocol.version}</span></h1>
          <p className="text-sm text-slate-600">
            Series from {s.series.startDate}{s.series.intervalDays ? `, every ${s.series.intervalDays} day${s.series.intervalDays === 1 ? "" : "s"}` : ""} · ordered by {s.series.orderingPhysician} · {s.series.status.toLowerCase()}
            {s.patient.allergies && <> · allergies <span className="font-semibold text-hard">{s.patient.allergies}</span></>}
          </p>
        </div>
        <dl className="kv grid grid-cols-2 gap-x-6 gap-y-1 sm:grid-cols-4">
          <div><dt>Sessions</dt><dd data-testid="sessions-done">{s.schedule.sessionsDone} of {s.schedule.plannedSessions}{s.schedule.sessionsInProgress ? ` (+${s.schedule.sessionsInProgress} running)` : ""}</dd></div>
          <div><dt>Next due</dt><dd>{s.schedule.nextDueDate ?? "—"}</dd></div>
          <div><dt>Open flags</dt><dd className={s.flagCounts.openHard ? "text-hard" : s.flagCounts.open ? "text-soft" : ""}>{s.flags.filter((f) => !f.acknowledgedAt && !f.resolvedAt).length}{s.flagCounts.openHard ? ` (${s.flagCounts.openHard} hard)` : ""}</dd></div>
          <div><dt>Review</dt><dd>{s.reviews.some((x) => x.signedAt && !x.sessionId && !x.addendumToId) ? "signed" : <span className="text-soft">not signed</span>}</dd></div>
        </dl>
      </header>

      <section aria-label="Response summary" className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4" data-testid="response-summary">
        <div className="card">
          <h2 className="text-xs font-semibold uppercase tracking-wide text-slate-600">Is it working?</h2>
          <p className={`mt-1 inline-block rounded px-2 py-1 text-sm font-bold ${responder.cls}`} data-testid="responder">{responder.text}</p>
          <p className="mt-1 text-sm">Mean relief <span className="text-lg font-bold tabular-nums">{num(r.meanReliefPct, 1, "%")}</span> over {r.sessionsWithScores} session{r.sessionsWithScores === 1 ? "" : "s"}</p>
          <p className="text-sm text-slate-600">≥ 30%: {r.sessionsAtOrAbove30} · ≥ 50%: {r.sessionsAtOrAbove50}</p>
        </div>
        <div className="card">
          <h2 className="text-xs font-semibold uppercase tracking-wide text-slate-600">For how long?</h2>
          <p className="mt-1 text-sm">Relief lasted <span className="text-lg font-bold tabular-nums">{r.meanDurabilityDays === null ? "—" : `${r.meanDurabilityDays.toFixed(1)} days`}</span> on average</p>
          <p className="text-sm text-slate-600">{/* durability ends when relief falls below the meaningful 30% (lib/domain/pain.ts durabilityDays), not when pain is back at baseline */}
            {r.sessionsWithDurability} session{r.sessionsWithDurability === 1 ? "" : "s"} where relief fell below 30% on follow-up; {r.sessionsReliefOngoing} with relief of 30% or more at the last follow-up</p>
        </div>
        <div className="card">
          <h2 className="text-xs font-semibold uppercase tracking-wide text-slate-600">At what dose?</h2>
          <p className="mt-1 text-sm">Mean total <span className="text-lg font-bold tabular-nums">{num(s.dose.meanTotalMgPerKg, 3)}</span> mg/kg · peak up to <span className="font-bold tabular-nums">{num(s.dose.maxPeakRateMgPerKgPerH, 3)}</span> mg/kg/h</p>
          <p className={`text-sm ${s.dose.sessionsOutsideBand ? "font-semibold text-soft" : "text-slate-600"}`}>{s.dose.sessionsOutsideBand} session{s.dose.sessionsOutsideBand === 1 ? "" : "s"} outside the documented range ({bandText})</p>
        </div>
        <div className="card">
          <h2 className="text-xs font-semibold uppercase tracking-wide text-slate-600">At what cost? Is the schedule kept?</h2>
          <p className="mt-1 text-sm">Side effects in {s.sideEffectBurden.sessionsWithSideEffects} of {rows.length} sessions; worst <span className={`font-bold ${s.sideEffectBurden.maxSeverity >= 3 ? "text-hard" : ""}`}>{SEVERITY_LABELS[s.sideEffectBurden.maxSeverity]}</span></p>
          <p className={`text-sm ${s.schedule.lateSessions || s.schedule.intervalTooShortSessions ? "font-semibold text-soft" : "text-slate-600"}`}>{s.schedule.lateSessions} late · {s.schedule.intervalTooShortSessions} too close together</p>
        </div>
      </section>

      <ReviewCharts
        rows={chartRows}
        band={band}
        maxCumulativeUgPerKg={s.protocol.maxCumulativeUgPerKg}
        nextDueDate={s.schedule.nextDueDate}
        timeZone={tz}
      />

      {checkIns}

      <section className="card" aria-labelledby="flags-h">
        <h2 id="flags-h" className="mb-2 text-lg font-semibold">Flags</h2>
        <FlagAcknowledgements flags={s.flags} canAcknowledge={canAcknowledge} when={when} />
      </section>

      <section className="card min-w-0" aria-labelledby="sessions-h">
        <h2 id="sessions-h" className="mb-2 text-lg font-semibold">Sessions</h2>
        <div className="relative max-w-full overflow-x-auto"><SessionsTable rows={tableRows} /></div>
        {rows.length > RECENT_SESSIONS && (
          <p className="mt-2 text-sm">
            {showAll
              ? <Link className="text-calm hover:underline" href={`/series/${s.series.id}`}>Show the latest {RECENT_SESSIONS} sessions</Link>
              : <>Showing the latest {RECENT_SESSIONS} of {rows.length} sessions (the charts show all). <Link className="text-calm hover:underline" href={`/series/${s.series.id}?sessions=all`}>Show all {rows.length}</Link></>}
          </p>
        )}
      </section>

      <section className="card" aria-labelledby="compare-h">
        <h2 id="compare-h" className="mb-2 text-lg font-semibold">Compared with the previous series on this protocol</h2>
        <Comparison s={s} />
      </section>

      <section className="card" aria-labelledby="review-h">
        <h2 id="review-h" className="mb-2 text-lg font-semibold">Review and signature</h2>
        <ReviewPanel
          seriesId={s.series.id}
          reviews={s.reviews}
          canSign={canSign}
          sessions={rows.map((x) => ({ id: x.sessionId, sequence: x.sequence, date: x.date, reviewable: x.status !== "IN_PROGRESS" }))}
          when={when}
        />
      </section>
    </div>
  );
}

type SummaryRow = SeriesSummaryDto["rows"][number];

// The charts and the table get only the fields they show.
function chartRowOf(x: SummaryRow): SeriesChartRow {
  return {
    sequence: x.sequence, date: x.date, atMs: x.atMs, plannedDate: x.plannedDate, isLate: x.isLate,
    intervalTooShort: x.intervalTooShort, preNrs: x.preNrs, postNrs: x.postNrs, reliefPct: x.reliefPct, totalMgPerKg: x.totalMgPerKg,
    peakRateMgPerKgPerH: x.peakRateMgPerKgPerH, peakRateZone: x.peakRateZone, totalZone: x.totalZone, maxSideEffectSeverity: x.maxSideEffectSeverity,
    sideEffects: x.sideEffects, openFlags: x.openFlags, ackedFlags: x.ackedFlags,
    followUps: x.followUps.map((f) => ({ atMs: f.atMs, nrs: f.nrs, reportedBy: f.reportedBy })),
  };
}

function tableRowOf(x: SummaryRow): SessionsTableRow {
  return {
    sessionId: x.sessionId, sequence: x.sequence, status: x.status, date: x.date, plannedDate: x.plannedDate, daysFromPlan: x.daysFromPlan,
    isLate: x.isLate, intervalTooShort: x.intervalTooShort, pre: x.pre, post: x.post, reliefPct: x.reliefPct, durabilityDays: x.durabilityDays,
    hasFollowUps: x.followUps.length > 0, totalMgPerKg: x.totalMgPerKg, peakRateMgPerKgPerH: x.peakRateMgPerKgPerH, peakRateZone: x.peakRateZone,
    totalZone: x.totalZone, sideEffects: x.sideEffects, openFlags: x.openFlags, openHardFlags: x.openHardFlags, ackedFlags: x.ackedFlags,
  };
}

function Comparison({ s }: { s: SeriesSummaryDto }) {
  const p = s.previous;
  if (!p) return <p className="text-sm text-slate-600">No earlier series on {s.protocol.name} for this patient.</p>;
  const c = p.comparison;
  return (
    <div className="space-y-2" data-testid="series-comparison">
      <p className="text-sm">Previous series from <Link className="text-calm hover:underline" href={`/series/${p.seriesId}`}>{p.startDate}</Link> (v{p.protocolVersion}, {p.status.toLowerCase()})</p>
      <div className="overflow-x-auto"><table className="table-dense">
        <thead><tr><th /><th>This series</th><th>Previous</th><th>Difference</th></tr></thead>
        <tbody>
          <tr><td>Mean relief</td><td>{num(s.response.meanReliefPct, 1, "%")}</td><td>{num(p.response.meanReliefPct, 1, "%")}</td><td>{signed(c.meanReliefPctDelta, " pts")}</td></tr>
          <tr><td>Responder</td><td>{RESPONDER_TEXT[s.response.responder].text}</td><td>{RESPONDER_TEXT[p.response.responder].text}</td><td /></tr>
          <tr><td>Relief lasted (mean)</td><td>{num(s.response.meanDurabilityDays, 1, " d")}</td><td>{num(p.response.meanDurabilityDays, 1, " d")}</td><td>{signed(c.meanDurabilityDaysDelta, " d")}</td></tr>
          <tr><td>Mean total dose</td><td>{num(s.dose.meanTotalMgPerKg, 3, " mg/kg")}</td><td>{num(p.dose.meanTotalMgPerKg, 3, " mg/kg")}</td><td>{signed(c.meanTotalMgPerKgDelta, " mg/kg", 3)}</td></tr>
          <tr><td>Sessions done</td><td>{s.schedule.sessionsDone} of {s.schedule.plannedSessions}</td><td>{p.schedule.sessionsDone} of {p.schedule.plannedSessions}</td><td>{signed(c.sessionsDoneDelta, "", 0)}</td></tr>
          <tr><td>Worst side effect</td><td>{SEVERITY_LABELS[s.sideEffectBurden.maxSeverity]}</td><td>{SEVERITY_LABELS[p.sideEffectBurden.maxSeverity]}</td><td /></tr>
        </tbody>
      </table></div>
    </div>
  );
}
