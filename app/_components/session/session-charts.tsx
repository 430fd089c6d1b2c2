"use client";
import { PainChart } from "@/app/_components/charts/pain-chart";
import { TitrationChart } from "@/app/_components/charts/titration-chart";
import { VitalsChart } from "@/app/_components/charts/vitals-chart";
import { effectiveRows } from "@/lib/domain/charting";
import { isLateEntry, pumpRounding } from "@/lib/domain/guards";
import { safetySettingsOf } from "@/lib/domain/protocol";
import { useNow } from "./clock";
import { formatDateHm } from "./clinic-time";
import { doseRowToPoint, type Chart } from "./rows";

/** The charts, redrawn every 30 s while the session runs (the rate line grows to now). */
export function SessionCharts({ chart, timeZone }: { chart: Chart; timeZone: string }) {
  const nowMs = useNow(30_000);
  // the tick lags up to 30 s: never end the chart before the server's time of this data
  const endMs = chart.status === "IN_PROGRESS" ? Math.max(nowMs, Date.parse(chart.serverNow)) : Date.parse(chart.completedAt ?? chart.serverNow);
  const openedAtMs = Date.parse(chart.openedAt);
  const vitals = effectiveRows(chart.vitals);
  const baseline = vitals.find((v) => v.isBaseline) ?? vitals[0] ?? null;
  const doseRows = effectiveRows(chart.doseEvents);
  // tooltips: the pump's setting at its step, and "late entry" for a row charted more than 10 min after its time
  const lateNote = (r: { at: string; enteredAt: string }) =>
    isLateEntry(Date.parse(r.at), Date.parse(r.enteredAt)) ? `late entry, charted ${formatDateHm(Date.parse(r.enteredAt), timeZone)}` : "";
  const pumpSettings = safetySettingsOf(chart.protocol.limits);
  const doseNotes = new Map(doseRows.map((r) => {
    const pump = r.rateUgPerKgPerH !== null && r.rateUgPerKgPerH > 0
      ? ` · pump ${pumpRounding({ rateUgPerKgPerH: r.rateUgPerKgPerH, weightG: chart.weightG, concentrationUgPerMl: chart.concentrationUgPerMl, settings: pumpSettings }).pumpMlPerHText} mL/h`
      : "";
    const late = lateNote(r);
    return [Date.parse(r.at), `${pump}${late ? ` · ${late}` : ""}`];
  }));
  return (
    <>
      <TitrationChart
        points={doseRows.map(doseRowToPoint)} limits={chart.protocol.limits} weightG={chart.weightG}
        openedAtMs={openedAtMs} endMs={endMs} timeZone={timeZone} route={chart.protocol.route} notes={doseNotes}
      />
      <VitalsChart
        points={vitals.map((v) => ({ t: Date.parse(v.at), note: lateNote(v) || undefined, systolicMmHg: v.systolicMmHg, diastolicMmHg: v.diastolicMmHg, heartRatePerMin: v.heartRatePerMin, spo2Pct: v.spo2Pct, respRatePerMin: v.respRatePerMin }))}
        baselineSbp={baseline?.systolicMmHg ?? null} limits={chart.protocol.limits} openedAtMs={openedAtMs} endMs={endMs} timeZone={timeZone}
      />
      <PainChart
        points={effectiveRows(chart.painScores).map((p) => ({ t: Date.parse(p.at), score: p.score, scale: p.scale, phase: p.phase }))}
        openedAtMs={openedAtMs} endMs={endMs} timeZone={timeZone}
      />
    </>
  );
}
