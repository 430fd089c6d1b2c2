"use client";
// A series across weeks on calendar dates: pain and relief, dose against the documented
// band, side effects, flags and schedule. Points are capped in the domain layer
// (painChartPoints, chartRows: at most MAX_CHART_POINTS, keeping peaks and out-of-range).
import {
  Bar, BarChart, CartesianGrid, ComposedChart, Line, ReferenceArea, ReferenceLine, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis, ZAxis,
} from "recharts";
import type { DocumentedBand } from "@/lib/domain/protocol";
import { chartRows, MAX_CHART_POINTS, painChartPoints, type DoseZone, type SessionSummaryRow } from "@/lib/domain/series-summary";
import { MEANINGFUL_RELIEF_PCT, SUBSTANTIAL_RELIEF_PCT } from "@/lib/domain/pain";
import { SEVERITY_LABELS, sideEffectLabel } from "@/lib/domain/side-effects";
import { formatMgPerKgPerH } from "@/lib/domain/units";
import { startOfDayInZone } from "@/lib/time";
import { ChartFrame, LegendSwatch, ShapeMark } from "./chart-frame";

const C = { pre: "#b91c1c", post: "#15803d", follow: "#0369a1", relief: "#0f5c73", band: "#15803d", hard: "#b91c1c", soft: "#b45309", total: "#7c3aed", peak: "#0f5c73", acked: "#64748b", mild: "#f59e0b", patient: "#a21caf" };
const DAY = 86_400_000;

/** One session as the charts draw it: only the fields they read of the domain row (the page sends these). */
export type SeriesChartRow = Pick<
  SessionSummaryRow,
  | "sequence" | "date" | "atMs" | "plannedDate" | "isLate" | "intervalTooShort" | "preNrs" | "postNrs" | "reliefPct"
  | "totalMgPerKg" | "peakRateMgPerKgPerH" | "peakRateZone" | "totalZone" | "maxSideEffectSeverity" | "sideEffects"
  | "openFlags" | "ackedFlags"
> & {
  /** follow-up scores on the 0-10 grid; PATIENT = reported on a check-in */
  followUps: { atMs: number; nrs: number; reportedBy?: "STAFF" | "PATIENT" }[];
};

/** Calendar-day ticks (clinic-local midnights), about `maxTicks` of them. */
function dayTicks(fromMs: number, toMs: number, timeZone: string, maxTicks = 8): number[] {
  const spanDays = Math.max(1, (toMs - fromMs) / DAY);
  const step = [1, 2, 7, 14, 28, 56, 91, 182, 364].find((s) => spanDays / s <= maxTicks) ?? 364;
  const ticks: number[] = [];
  let t = startOfDayInZone(new Date(fromMs), timeZone).getTime();
  while (t <= toMs + DAY) {
    if (t >= fromMs) ticks.push(t);
    // step in whole days; re-anchor at local midnight to stay on the day across DST changes
    t = startOfDayInZone(new Date(t + step * DAY + 12 * 3_600_000), timeZone).getTime();
  }
  return ticks;
}

function dateFormatter(timeZone: string, spanMs: number) {
  const long = spanMs > 300 * DAY;
  const fmt = new Intl.DateTimeFormat("en-CA", { timeZone, month: "2-digit", day: "2-digit", ...(long ? { year: "2-digit" } : {}) });
  return (ms: number) => fmt.format(new Date(ms));
}

function useAxis(rows: SeriesChartRow[], timeZone: string, extraTimes: number[] = []) {
  const times = [...rows.map((r) => r.atMs), ...extraTimes];
  const from = times.length ? Math.min(...times) - DAY : Date.now() - 7 * DAY;
  const to = times.length ? Math.max(...times) + DAY : Date.now();
  const domain: [number, number] = [from, to];
  return { domain, ticks: dayTicks(from, to, timeZone), fmt: dateFormatter(timeZone, to - from) };
}

const xAxisProps = (a: ReturnType<typeof useAxis>) => ({
  dataKey: "t", type: "number" as const, scale: "time" as const, domain: a.domain, ticks: a.ticks, tickFormatter: a.fmt, allowDataOverflow: true, fontSize: 12,
});

/** Wraps a chart with the number of points it draws, for tests and the benchmark. */
function Counted({ points, children }: { points: number; children: React.ReactNode }) {
  return <div data-chart-points={points}>{children}</div>;
}

// ------------------------------------------------------------------ pain and relief

type PainMarkProps = { cx?: number; cy?: number; payload?: { nrs: number; seq: number } };

export function SeriesPainChart({ rows, timeZone }: { rows: SeriesChartRow[]; timeZone: string }) {
  const points = painChartPoints(rows);
  const relief = chartRows(rows.filter((r) => r.reliefPct !== null), (r) => r.reliefPct ?? 0, MAX_CHART_POINTS);
  const axis = useAxis(rows, timeZone, points.map((p) => p.t));
  const pre = points.filter((p) => p.kind === "PRE").map((p) => ({ t: p.t, nrs: p.nrs, seq: p.sessionSequence }));
  const post = points.filter((p) => p.kind === "POST").map((p) => ({ t: p.t, nrs: p.nrs, seq: p.sessionSequence }));
  const follow = points.filter((p) => p.kind === "FOLLOW_UP" && !p.patientReported).map((p) => ({ t: p.t, nrs: p.nrs, seq: p.sessionSequence }));
  const patientFollow = points.filter((p) => p.kind === "FOLLOW_UP" && p.patientReported).map((p) => ({ t: p.t, nrs: p.nrs, seq: p.sessionSequence }));
  const reliefData = relief.map((r) => ({ t: r.atMs, reliefPct: r.reliefPct, seq: r.sequence }));
  const minRelief = Math.min(0, ...reliefData.map((r) => r.reliefPct ?? 0));
  const summary = [
    `${rows.length} session${rows.length === 1 ? "" : "s"} by date.`,
    reliefData.length ? `Relief per session: ${reliefData.map((r) => `#${r.seq} ${r.reliefPct}%`).slice(0, 40).join(", ")}.` : "No session has both a before and an after score.",
    `${follow.length} follow-up score${follow.length === 1 ? "" : "s"} charted by staff, ${patientFollow.length} reported by the patient.`,
    `Reference lines at ${MEANINGFUL_RELIEF_PCT}% (meaningful) and ${SUBSTANTIAL_RELIEF_PCT}% (substantial) relief.`,
  ].join(" ");
  return (
    <Counted points={pre.length + post.length + follow.length + patientFollow.length + reliefData.length}>
      <ChartFrame
        testId="series-pain-chart"
        title="Pain before and after each session, follow-up, and relief %"
        summary={summary}
        height={280}
        legend={<>
          <LegendSwatch color={C.pre} shape="square" label="Before (0-10)" />
          <LegendSwatch color={C.post} shape="dot" label="After (0-10)" />
          <LegendSwatch color={C.follow} shape="diamond" label="Follow-up by staff (0-10)" />
          <LegendSwatch color={C.patient} shape="triangle" label="Follow-up reported by the patient (0-10)" />
          <LegendSwatch color={C.relief} label="Relief % (right axis)" />
          <LegendSwatch color={C.soft} dashed label={`${MEANINGFUL_RELIEF_PCT}% meaningful`} />
          <LegendSwatch color={C.post} dashed label={`${SUBSTANTIAL_RELIEF_PCT}% substantial`} />
        </>}
      >
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart margin={{ top: 8, right: 8, bottom: 4, left: 0 }}>
            <CartesianGrid stroke="#e2e8f0" strokeDasharray="3 3" />
            <XAxis {...xAxisProps(axis)} />
            <YAxis yAxisId="pain" dataKey="nrs" type="number" domain={[0, 10]} ticks={[0, 2, 4, 6, 8, 10]} width={30} fontSize={12} label={{ value: "pain", angle: -90, position: "insideLeft", fontSize: 11 }} />
            <YAxis yAxisId="relief" orientation="right" dataKey="reliefPct" type="number" domain={[Math.floor(minRelief / 10) * 10, 100]} tickFormatter={(v: number) => `${v}%`} width={44} fontSize={12} />
            <ReferenceLine yAxisId="relief" y={MEANINGFUL_RELIEF_PCT} stroke={C.soft} strokeDasharray="6 4" label={{ value: "30% meaningful", position: "insideBottomRight", fill: C.soft, fontSize: 11 }} />
            <ReferenceLine yAxisId="relief" y={SUBSTANTIAL_RELIEF_PCT} stroke={C.post} strokeDasharray="6 4" label={{ value: "50% substantial", position: "insideTopRight", fill: C.post, fontSize: 11 }} />
            <Tooltip labelFormatter={(t) => axis.fmt(Number(t))} isAnimationActive={false} />
            <Line yAxisId="relief" data={reliefData} dataKey="reliefPct" name="Relief %" stroke={C.relief} strokeWidth={2} dot={{ r: 3 }} isAnimationActive={false} connectNulls />
            {/* before and after differ by shape as well as colour (as on the session's pain chart) */}
            <Scatter yAxisId="pain" data={pre} dataKey="nrs" name="Before" fill={C.pre} isAnimationActive={false}
              shape={(p: PainMarkProps) => <ShapeMark {...p} shape="square" color={C.pre} testId="series-pain-point" size={5} title={p.payload && `#${p.payload.seq} before: ${p.payload.nrs}`} />} />
            <Scatter yAxisId="pain" data={post} dataKey="nrs" name="After" fill={C.post} isAnimationActive={false}
              shape={(p: PainMarkProps) => <ShapeMark {...p} shape="dot" color={C.post} testId="series-pain-point" size={5} title={p.payload && `#${p.payload.seq} after: ${p.payload.nrs}`} />} />
            <Scatter yAxisId="pain" data={follow} dataKey="nrs" name="Follow-up (staff)" fill={C.follow} isAnimationActive={false}
              shape={(p: PainMarkProps) => <ShapeMark {...p} shape="diamond" color={C.follow} testId="series-pain-point" size={5} title={p.payload && `#${p.payload.seq} follow-up (staff): ${p.payload.nrs}`} />} />
            <Scatter yAxisId="pain" data={patientFollow} dataKey="nrs" name="Follow-up (patient)" fill={C.patient} isAnimationActive={false}
              shape={(p: PainMarkProps) => <ShapeMark {...p} shape="triangle" color={C.patient} testId="series-pain-point" size={5} title={p.payload && `#${p.payload.seq} follow-up (patient): ${p.payload.nrs}`} />} />
          </ComposedChart>
        </ResponsiveContainer>
      </ChartFrame>
    </Counted>
  );
}

// ------------------------------------------------------------------ dose against the band

const isOutside = (z: DoseZone) => z === "ABOVE_SOFT" || z === "BELOW_SOFT" || z === "AT_OR_ABOVE_HARD";

function PeakDot(props: { cx?: number; cy?: number; payload?: { zone: DoseZone; text: string } }) {
  const { cx, cy, payload } = props;
  if (cx === undefined || cy === undefined || !payload) return <g />;
  if (payload.zone === "AT_OR_ABOVE_HARD")
    return <rect data-testid="series-out-of-band" data-shape="square" x={cx - 7} y={cy - 7} width={14} height={14} fill={C.hard} stroke="#fff"><title>{payload.text}</title></rect>;
  if (isOutside(payload.zone))
    return <path data-testid="series-out-of-band" data-shape="diamond" d={`M${cx} ${cy - 8} L${cx + 8} ${cy} L${cx} ${cy + 8} L${cx - 8} ${cy} Z`} fill={C.soft} stroke="#fff"><title>{payload.text}</title></path>;
  return <circle data-testid="series-peak" data-shape="dot" cx={cx} cy={cy} r={5} fill={C.peak} stroke="#fff" strokeWidth={1.5}><title>{payload.text}</title></circle>;
}
function TotalMark(props: { cx?: number; cy?: number; payload?: { zone: DoseZone; text: string } }) {
  const { cx, cy, payload } = props;
  if (cx === undefined || cy === undefined || !payload) return <g />;
  const outside = isOutside(payload.zone);
  // a wide bar (the legend's box), never a square: a peak at the hard limit is the square, so
  // the two differ by shape, not only by colour and size. Above the documented total: a
  // triangle over the bar, not its colour alone
  return (
    <g>
      <rect data-testid="series-total" data-shape="box" x={cx - 8} y={cy - 3.5} width={16} height={7} fill={outside ? C.soft : C.total} fillOpacity={0.85} stroke="#fff"><title>{payload.text}</title></rect>
      {outside && <path data-testid="series-total-above" data-shape="triangle" d={`M${cx} ${cy - 14} L${cx + 5} ${cy - 6} L${cx - 5} ${cy - 6} Z`} fill={C.soft} />}
    </g>
  );
}

export function SeriesDoseChart({ rows, band, maxCumulativeUgPerKg, timeZone }: { rows: SeriesChartRow[]; band: DocumentedBand; maxCumulativeUgPerKg: number | null; timeZone: string }) {
  const dosed = chartRows(rows.filter((r) => r.peakRateZone !== "NO_BAND" || r.totalMgPerKg > 0), (r) => r.peakRateMgPerKgPerH, MAX_CHART_POINTS / 2);
  const axis = useAxis(rows, timeZone);
  const peaks = dosed.map((r) => ({ t: r.atMs, rate: r.peakRateMgPerKgPerH, zone: r.peakRateZone, text: `#${r.sequence} ${r.date}: peak ${r.peakRateMgPerKgPerH.toFixed(3)} mg/kg/h` }));
  const totals = dosed.map((r) => ({ t: r.atMs, total: r.totalMgPerKg, zone: r.totalZone, text: `#${r.sequence} ${r.date}: total ${r.totalMgPerKg.toFixed(3)} mg/kg` }));
  const hard = band.hardMaxUgPerKgPerH / 1000;
  const hasBand = band.maxUgPerKgPerH !== null;
  const bandText = hasBand ? `${formatMgPerKgPerH(band.minUgPerKgPerH ?? 0)}–${formatMgPerKgPerH(band.maxUgPerKgPerH!)} mg/kg/h` : "none documented as a rate";
  const rateMax = Math.ceil(Math.max(hard * 1.05, ...peaks.map((p) => p.rate * 1.1)) * 10) / 10;
  const cumulative = maxCumulativeUgPerKg === null ? null : maxCumulativeUgPerKg / 1000;
  const totalMax = Math.ceil(Math.max(cumulative ? cumulative * 1.2 : 0, 0.5, ...totals.map((p) => p.total * 1.1)) * 10) / 10;
  const outside = peaks.filter((p) => isOutside(p.zone)).length + totals.filter((p) => isOutside(p.zone)).length;
  const summary = `Peak rate and total dose per session by date. Documented band ${bandText}; hard limit ${formatMgPerKgPerH(band.hardMaxUgPerKgPerH)} mg/kg/h${cumulative !== null ? `; documented session total up to ${cumulative.toFixed(3)} mg/kg` : ""}. ${outside} value${outside === 1 ? "" : "s"} outside the documented range.`;
  return (
    <Counted points={peaks.length + totals.length}>
      <ChartFrame
        testId="series-dose-chart"
        title="Dose per session against the documented band"
        summary={summary}
        height={280}
        legend={<>
          <LegendSwatch color={C.band} shape="box" label={`Documented band ${bandText}`} />
          <LegendSwatch color={C.peak} shape="dot" label="Peak rate mg/kg/h (left)" />
          <LegendSwatch color={C.total} shape="box" label="Total mg/kg (right)" />
          {cumulative !== null && <LegendSwatch color={C.total} dashed label={`Documented total ≤ ${cumulative.toFixed(2)} mg/kg`} />}
          <LegendSwatch color={C.hard} dashed label={`Hard limit ${formatMgPerKgPerH(band.hardMaxUgPerKgPerH)} mg/kg/h`} />
          <LegendSwatch color={C.soft} shape="diamond" label="Peak outside the documented range" />
          <LegendSwatch color={C.hard} shape="square" label="Peak at or above the hard limit" />
          <LegendSwatch color={C.soft} shape="triangle" label="Total above the documented total (over its bar)" />
        </>}
      >
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart margin={{ top: 8, right: 8, bottom: 4, left: 0 }}>
            <CartesianGrid stroke="#e2e8f0" strokeDasharray="3 3" />
            <XAxis {...xAxisProps(axis)} />
            <YAxis yAxisId="rate" dataKey="rate" type="number" domain={[0, rateMax]} tickFormatter={(v: number) => v.toFixed(2)} width={40} fontSize={12} />
            <YAxis yAxisId="total" orientation="right" dataKey="total" type="number" domain={[0, totalMax]} tickFormatter={(v: number) => v.toFixed(1)} width={36} fontSize={12} />
            {hasBand && (
              <ReferenceArea yAxisId="rate" y1={(band.minUgPerKgPerH ?? 0) / 1000} y2={band.maxUgPerKgPerH! / 1000}
                shape={(p: { x?: number; y?: number; width?: number; height?: number }) => (
                  <rect data-testid="series-documented-band" x={p.x} y={p.y} width={p.width} height={p.height} fill={C.band} fillOpacity={0.14} stroke={C.band} strokeOpacity={0.5} />
                )} />
            )}
            <ReferenceLine yAxisId="rate" y={hard} stroke={C.hard} strokeWidth={2} strokeDasharray="8 4" />
            {cumulative !== null && <ReferenceLine yAxisId="total" y={cumulative} stroke={C.total} strokeDasharray="4 3" />}
            <Tooltip labelFormatter={(t) => axis.fmt(Number(t))} isAnimationActive={false} />
            <Scatter yAxisId="total" data={totals} dataKey="total" name="Total mg/kg" shape={TotalMark} isAnimationActive={false} />
            <Line yAxisId="rate" data={peaks} dataKey="rate" name="Peak mg/kg/h" stroke={C.peak} strokeOpacity={0.4} dot={false} activeDot={false} isAnimationActive={false} />
            <Scatter yAxisId="rate" data={peaks} dataKey="rate" name="Peak mg/kg/h" shape={PeakDot} isAnimationActive={false} />
          </ComposedChart>
        </ResponsiveContainer>
      </ChartFrame>
    </Counted>
  );
}

// ------------------------------------------------------------------ side effects

const SEV_COLOR = ["#cbd5e1", C.mild, C.soft, C.hard];

export function SeriesSideEffectsChart({ rows, timeZone }: { rows: SeriesChartRow[]; timeZone: string }) {
  const kept = chartRows(rows, (r) => r.maxSideEffectSeverity, MAX_CHART_POINTS / 4);
  const axis = useAxis(rows, timeZone);
  const kinds = [...new Set(rows.flatMap((r) => Object.keys(r.sideEffects)))].sort();
  const points = kept.flatMap((r) => Object.entries(r.sideEffects).map(([kind, severity]) => ({
    t: r.atMs, kind: sideEffectLabel(kind), severity, z: severity, text: `#${r.sequence} ${r.date}: ${sideEffectLabel(kind)}, ${SEVERITY_LABELS[severity] ?? severity}`,
  })));
  const worst = rows.reduce((m, r) => Math.max(m, r.maxSideEffectSeverity), 0);
  const summary = points.length === 0 ? "No side effects recorded in this series." :
    `${points.length} side effect${points.length === 1 ? "" : "s"} by session and kind; worst severity ${SEVERITY_LABELS[worst]}. ${points.slice(0, 30).map((p) => p.text).join("; ")}.`;
  const Dot = (props: { cx?: number; cy?: number; payload?: (typeof points)[number] }) => {
    const { cx, cy, payload } = props;
    if (cx === undefined || cy === undefined || !payload) return <g />;
    return <circle data-testid="side-effect-point" data-shape="dot" data-size={payload.severity} cx={cx} cy={cy} r={4 + payload.severity * 2} fill={SEV_COLOR[payload.severity]} stroke="#fff"><title>{payload.text}</title></circle>;
  };
  return (
    <Counted points={points.length}>
      <ChartFrame
        testId="series-side-effects-chart"
        title="Side effects per session: kind and maximum severity"
        summary={summary}
        height={Math.max(140, 60 + kinds.length * 28)}
        legend={<>
          {/* the dot's size carries the severity as well as its colour, as in the chart */}
          <LegendSwatch color={SEV_COLOR[1]!} shape="dot" size={3} label="mild (small)" />
          <LegendSwatch color={SEV_COLOR[2]!} shape="dot" size={5} label="moderate (medium)" />
          <LegendSwatch color={SEV_COLOR[3]!} shape="dot" size={7} label="severe (large)" />
        </>}
      >
        {points.length === 0 ? <p className="py-6 text-center text-sm text-slate-600">No side effects recorded.</p> : (
          <ResponsiveContainer width="100%" height="100%">
            <ScatterChart margin={{ top: 8, right: 16, bottom: 4, left: 8 }}>
              <CartesianGrid stroke="#e2e8f0" strokeDasharray="3 3" />
              <XAxis {...xAxisProps(axis)} />
              <YAxis dataKey="kind" type="category" allowDuplicatedCategory={false} width={130} fontSize={11} />
              <ZAxis dataKey="z" range={[60, 60]} />
              <Tooltip isAnimationActive={false} labelFormatter={(t) => axis.fmt(Number(t))} />
              <Scatter data={points} shape={Dot} isAnimationActive={false} name="Side effect" />
            </ScatterChart>
          </ResponsiveContainer>
        )}
      </ChartFrame>
    </Counted>
  );
}

// ------------------------------------------------------------------ flags and schedule

export function SeriesFlagsChart({ rows }: { rows: SeriesChartRow[] }) {
  const kept = chartRows(rows, (r) => r.openFlags + r.ackedFlags, MAX_CHART_POINTS / 2);
  const data = kept.map((r) => ({ label: `#${r.sequence} ${r.date.slice(5)}`, open: r.openFlags, acknowledged: r.ackedFlags }));
  const open = rows.reduce((n, r) => n + r.openFlags, 0);
  const acked = rows.reduce((n, r) => n + r.ackedFlags, 0);
  return (
    <Counted points={data.length * 2}>
      <ChartFrame
        testId="series-flags-chart"
        title="Flags per session: open vs acknowledged"
        summary={`${open} open and ${acked} acknowledged flags across ${rows.length} sessions. ${data.filter((d) => d.open).map((d) => `${d.label}: ${d.open} open`).slice(0, 30).join("; ")}`}
        height={200}
        legend={<>
          <LegendSwatch color={C.soft} shape="box" label={`Open (${open})`} />
          <LegendSwatch color={C.acked} shape="hollow-box" label={`Acknowledged (${acked})`} />
        </>}
      >
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} margin={{ top: 8, right: 8, bottom: 4, left: 0 }}>
            <CartesianGrid stroke="#e2e8f0" strokeDasharray="3 3" />
            <XAxis dataKey="label" fontSize={11} interval="preserveStartEnd" />
            <YAxis allowDecimals={false} width={30} fontSize={12} />
            <Tooltip isAnimationActive={false} />
            <Bar dataKey="open" stackId="f" fill={C.soft} name="Open" isAnimationActive={false} />
            {/* hollow and dashed: acknowledged differs from open by more than its colour */}
            <Bar dataKey="acknowledged" stackId="f" fill="#fff" stroke={C.acked} strokeWidth={2} strokeDasharray="4 2" name="Acknowledged" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </ChartFrame>
    </Counted>
  );
}

export function SeriesScheduleChart({ rows, nextDueDate, timeZone }: { rows: SeriesChartRow[]; nextDueDate: string | null; timeZone: string }) {
  const kept = chartRows(rows, (r) => (r.isLate ? 1 : 0), MAX_CHART_POINTS / 2);
  // a planned calendar date at the clinic's 09:00 (the time is only for placing it on the axis)
  const dateMs = (d: string) => startOfDayInZone(new Date(`${d}T12:00:00Z`), timeZone).getTime() + 9 * 3_600_000;
  const planned = kept.filter((r) => r.plannedDate).map((r) => ({ t: dateMs(r.plannedDate!), y: "Planned", text: `#${r.sequence} planned ${r.plannedDate}` }));
  if (nextDueDate) planned.push({ t: dateMs(nextDueDate), y: "Planned", text: `next due ${nextDueDate}` });
  const actual = kept.map((r) => ({ t: r.atMs, y: "Actual", late: r.isLate, short: r.intervalTooShort, text: `#${r.sequence} ${r.date}${r.isLate ? " (late)" : ""}${r.intervalTooShort ? " (interval too short)" : ""}` }));
  const axis = useAxis(rows, timeZone, planned.map((p) => p.t));
  const late = rows.filter((r) => r.isLate).length;
  const short = rows.filter((r) => r.intervalTooShort).length;
  const ActualDot = (props: { cx?: number; cy?: number; payload?: (typeof actual)[number] }) => {
    const { cx, cy, payload } = props;
    if (cx === undefined || cy === undefined || !payload) return <g />;
    // late and too-soon sessions differ by shape as well as colour (docs/decisions/0016-accessibility.md)
    if (payload.short) return <rect data-testid="schedule-point" data-shape="square" x={cx - 6} y={cy - 6} width={12} height={12} fill={C.hard} stroke="#fff"><title>{payload.text}</title></rect>;
    if (payload.late) return <path data-testid="schedule-point" data-shape="triangle" d={`M${cx} ${cy - 8} L${cx + 8} ${cy + 6} L${cx - 8} ${cy + 6} Z`} fill={C.soft} stroke="#fff"><title>{payload.text}</title></path>;
    return <circle data-testid="schedule-point" data-shape="dot" cx={cx} cy={cy} r={6} fill={C.peak} stroke="#fff"><title>{payload.text}</title></circle>;
  };
  const PlannedDot = (props: { cx?: number; cy?: number; payload?: (typeof planned)[number] }) => {
    const { cx, cy, payload } = props;
    if (cx === undefined || cy === undefined || !payload) return <g />;
    return <circle cx={cx} cy={cy} r={6} fill="#fff" stroke={C.acked} strokeWidth={2}><title>{payload.text}</title></circle>;
  };
  return (
    <Counted points={planned.length + actual.length}>
      <ChartFrame
        testId="series-schedule-chart"
        title="Schedule: planned vs actual dates"
        summary={`${rows.length} sessions started; ${late} late (more than 1 day after the planned date); ${short} with sessions too close together.${nextDueDate ? ` Next due ${nextDueDate}.` : ""}`}
        height={150}
        legend={<>
          <LegendSwatch color={C.acked} shape="ring" label="Planned" />
          <LegendSwatch color={C.peak} shape="dot" label="Actual" />
          <LegendSwatch color={C.soft} shape="triangle" label={`Late (${late})`} />
          <LegendSwatch color={C.hard} shape="square" label={`Interval too short (${short})`} />
        </>}
      >
        <ResponsiveContainer width="100%" height="100%">
          <ScatterChart margin={{ top: 8, right: 16, bottom: 4, left: 8 }}>
            <CartesianGrid stroke="#e2e8f0" strokeDasharray="3 3" />
            <XAxis {...xAxisProps(axis)} />
            <YAxis dataKey="y" type="category" allowDuplicatedCategory={false} width={60} fontSize={12} />
            <Tooltip isAnimationActive={false} labelFormatter={(t) => axis.fmt(Number(t))} />
            <Scatter data={planned} shape={PlannedDot} isAnimationActive={false} name="Planned" />
            <Scatter data={actual} shape={ActualDot} isAnimationActive={false} name="Actual" />
          </ScatterChart>
        </ResponsiveContainer>
      </ChartFrame>
    </Counted>
  );
}
