"use client";
// The across-weeks charts are drawn in the browser only: they size to their container
// (nothing to draw on the server), and skipping their server render keeps the review
// page's server time close to an empty page's (bench/review-page.ts).
import dynamic from "next/dynamic";
import type { DocumentedBand } from "@/lib/domain/protocol";
import type { SeriesChartRow } from "@/app/_components/charts/series-charts";

function Placeholder({ title, height }: { title: string; height: number }) {
  return (
    <div className="card space-y-2" aria-busy="true">
      <span className="block text-base font-semibold">{title}</span>
      <div style={{ height }} className="w-full animate-pulse rounded bg-slate-50" />
    </div>
  );
}

const charts = () => import("@/app/_components/charts/series-charts");
const PainChart = dynamic(() => charts().then((m) => m.SeriesPainChart), { ssr: false, loading: () => <Placeholder title="Pain before and after each session, follow-up, and relief %" height={280} /> });
const DoseChart = dynamic(() => charts().then((m) => m.SeriesDoseChart), { ssr: false, loading: () => <Placeholder title="Dose per session against the documented band" height={280} /> });
const SideEffectsChart = dynamic(() => charts().then((m) => m.SeriesSideEffectsChart), { ssr: false, loading: () => <Placeholder title="Side effects per session: kind and maximum severity" height={140} /> });
const FlagsChart = dynamic(() => charts().then((m) => m.SeriesFlagsChart), { ssr: false, loading: () => <Placeholder title="Flags per session: open vs acknowledged" height={200} /> });
const ScheduleChart = dynamic(() => charts().then((m) => m.SeriesScheduleChart), { ssr: false, loading: () => <Placeholder title="Schedule: planned vs actual dates" height={150} /> });

/** The charts of the series review (series-review.tsx: its data crossed from the server as one JSON string). */
export function ReviewCharts({ rows, band, maxCumulativeUgPerKg, nextDueDate, timeZone }: {
  rows: SeriesChartRow[]; band: DocumentedBand; maxCumulativeUgPerKg: number | null; nextDueDate: string | null; timeZone: string;
}) {
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <PainChart rows={rows} timeZone={timeZone} />
      <DoseChart rows={rows} band={band} maxCumulativeUgPerKg={maxCumulativeUgPerKg} timeZone={timeZone} />
      <SideEffectsChart rows={rows} timeZone={timeZone} />
      <FlagsChart rows={rows} />
      <div className="lg:col-span-2">
        <ScheduleChart rows={rows} nextDueDate={nextDueDate} timeZone={timeZone} />
      </div>
    </div>
  );
}
