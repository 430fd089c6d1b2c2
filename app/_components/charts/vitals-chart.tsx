"use client";
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { downsampleSeries } from "@/lib/domain/downsample";
import type { ProtocolLimits } from "@/lib/domain/protocol";
import { ChartFrame, LegendSwatch } from "./chart-frame";
import { clockTickFormatter, clockTicks, sessionDomain } from "./time-axis";

export interface VitalsPoint {
  t: number;
  /** shown after the time in the tooltip, e.g. "late entry, charted 10:21" */
  note?: string;
  systolicMmHg: number;
  diastolicMmHg: number;
  heartRatePerMin: number;
  spo2Pct: number;
  respRatePerMin: number;
}

const C = { sbp: "#1d4ed8", dbp: "#60a5fa", hr: "#7c3aed", spo2: "#0f766e", rr: "#a16207", limit: "#b91c1c", rise: "#b45309" };
const MAX_POINTS = 2000;

/** Readings past a threshold survive downsampling, so a long chart never hides an alarm. */
function crossesThreshold(p: VitalsPoint, l: ProtocolLimits, riseSbp: number | null) {
  return p.systolicMmHg >= l.sbpHighMmHg || p.diastolicMmHg >= l.dbpHighMmHg || (riseSbp !== null && p.systolicMmHg >= riseSbp)
    || p.heartRatePerMin >= l.hrHighPerMin || p.heartRatePerMin <= l.hrLowPerMin
    || p.spo2Pct < l.spo2LowPct || p.respRatePerMin < l.rrLowPerMin || p.respRatePerMin > l.rrHighPerMin;
}

type DotProps = { cx?: number; cy?: number; index?: number; payload?: VitalsPoint };

/**
 * The dots of one vital sign: a reading past its flag threshold is a triangle outlined in
 * red with its value and "flag" in its tooltip, every other reading a small dot, so a flagged
 * reading is told apart by its shape as well as its colour (docs/decisions/0016-accessibility.md).
 */
function dotsFor(color: string, name: string, value: (p: VitalsPoint) => number, isPast: (p: VitalsPoint) => boolean) {
  return function VitalsDot({ cx, cy, index, payload }: DotProps) {
    if (cx === undefined || cy === undefined || !payload) return <g key={index} />;
    if (isPast(payload)) {
      return (
        <path key={index} data-testid="vitals-flag-point" data-shape="triangle" d={`M${cx} ${cy - 7} L${cx + 7} ${cy + 5} L${cx - 7} ${cy + 5} Z`} fill={color} stroke={C.limit} strokeWidth={2}>
          <title>{`${name} ${value(payload)}: past the flag threshold`}</title>
        </path>
      );
    }
    return <circle key={index} cx={cx} cy={cy} r={3} fill={color} stroke="#fff" strokeWidth={1} />;
  };
}

export function VitalsChart({
  points, baselineSbp, limits, openedAtMs, endMs, timeZone,
}: {
  points: VitalsPoint[];
  baselineSbp: number | null;
  limits: ProtocolLimits;
  openedAtMs: number;
  endMs: number;
  timeZone: string;
}) {
  // the time, and a late-entry note when the set was charted more than 10 minutes after it
  const tooltipLabel = (t: unknown, payload: readonly { payload?: VitalsPoint }[]) => {
    const note = payload?.[0]?.payload?.note;
    return `${fmt(Number(t))}${note ? ` · ${note}` : ""}`;
  };
  // the BP-rise threshold: systolic × 100 >= baseline × (100 + pct), the flag engine's rule
  const riseSbp = baselineSbp === null ? null : Math.ceil((baselineSbp * (100 + limits.bpRisePct)) / 100);
  const keep = (p: VitalsPoint) => crossesThreshold(p, limits, riseSbp);
  const bp = points.length > MAX_POINTS ? downsampleSeries(points, MAX_POINTS, keep, (p) => p.systolicMmHg) : points;
  const resp = points.length > MAX_POINTS ? downsampleSeries(points, MAX_POINTS, keep, (p) => -p.spo2Pct) : points;
  const domain = sessionDomain(openedAtMs, endMs, points.map((p) => p.t));
  const ticks = clockTicks(domain[0], domain[1], timeZone);
  const fmt = clockTickFormatter(timeZone, domain[1] - domain[0]);
  const last = points.at(-1);
  const flagged = points.filter(keep).length;
  const maxY = Math.max(limits.sbpHighMmHg + 10, ...points.map((p) => Math.max(p.systolicMmHg, p.heartRatePerMin) + 10));
  const minY = Math.max(0, Math.min(limits.hrLowPerMin - 10, ...points.map((p) => Math.min(p.diastolicMmHg, p.heartRatePerMin) - 10)));
  const spo2Min = Math.max(50, Math.min(85, ...points.map((p) => p.spo2Pct - 2)));
  const rrMax = Math.max(limits.rrHighPerMin + 6, ...points.map((p) => p.respRatePerMin + 4));
  const summary = points.length === 0
    ? "No vitals charted yet."
    : `${points.length} sets of vitals. Latest at ${fmt(last!.t)}: BP ${last!.systolicMmHg}/${last!.diastolicMmHg} mmHg, HR ${last!.heartRatePerMin}/min, SpO2 ${last!.spo2Pct}%, RR ${last!.respRatePerMin}/min. ${flagged} set${flagged === 1 ? "" : "s"} past a threshold. Thresholds: SBP ≥ ${limits.sbpHighMmHg}, DBP ≥ ${limits.dbpHighMmHg}${riseSbp !== null ? `, SBP rise ≥ ${limits.bpRisePct}% (≥ ${riseSbp})` : ""}, HR ≥ ${limits.hrHighPerMin} or ≤ ${limits.hrLowPerMin}, SpO2 < ${limits.spo2LowPct}%, RR < ${limits.rrLowPerMin} or > ${limits.rrHighPerMin}.`;
  const past = {
    sbp: (p: VitalsPoint) => p.systolicMmHg >= limits.sbpHighMmHg || (riseSbp !== null && p.systolicMmHg >= riseSbp),
    dbp: (p: VitalsPoint) => p.diastolicMmHg >= limits.dbpHighMmHg,
    hr: (p: VitalsPoint) => p.heartRatePerMin >= limits.hrHighPerMin || p.heartRatePerMin <= limits.hrLowPerMin,
    spo2: (p: VitalsPoint) => p.spo2Pct < limits.spo2LowPct,
    rr: (p: VitalsPoint) => p.respRatePerMin < limits.rrLowPerMin || p.respRatePerMin > limits.rrHighPerMin,
  };
  const bpFlagged = points.some((p) => past.sbp(p) || past.dbp(p) || past.hr(p));
  const respFlagged = points.some((p) => past.spo2(p) || past.rr(p));
  const axisProps = { dataKey: "t", type: "number" as const, domain, ticks, tickFormatter: fmt, allowDataOverflow: true, scale: "time" as const, fontSize: 12 };
  const limitLabel = (value: string, color = C.limit, position: "insideTopRight" | "insideBottomRight" = "insideTopRight") => ({ value, position, fill: color, fontSize: 11 });

  return (
    <div className="space-y-3">
      <ChartFrame
        testId="vitals-chart"
        title="Blood pressure (mmHg) and heart rate (per min)"
        summary={summary}
        height={240}
        legend={
          <>
            <LegendSwatch color={C.sbp} label="Systolic" />
            <LegendSwatch color={C.dbp} label="Diastolic" />
            <LegendSwatch color={C.hr} label="Heart rate" />
            <LegendSwatch color={C.limit} dashed label="Flag thresholds" />
            {riseSbp !== null && <LegendSwatch color={C.rise} dashed label={`SBP +${limits.bpRisePct}% from baseline ${baselineSbp}`} />}
            {bpFlagged && <LegendSwatch color={C.limit} shape="triangle" label="Reading past a flag threshold" />}
          </>
        }
      >
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={bp} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
            <CartesianGrid stroke="#e2e8f0" strokeDasharray="3 3" />
            <XAxis {...axisProps} />
            <YAxis domain={[minY, maxY]} width={40} fontSize={12} allowDecimals={false} />
            <ReferenceLine y={limits.sbpHighMmHg} stroke={C.limit} strokeDasharray="6 4" label={limitLabel(`SBP ${limits.sbpHighMmHg}`, C.limit, "insideBottomRight")} />
            <ReferenceLine y={limits.dbpHighMmHg} stroke={C.limit} strokeDasharray="6 4" label={limitLabel(`DBP ${limits.dbpHighMmHg}`)} />
            {riseSbp !== null && <ReferenceLine y={riseSbp} stroke={C.rise} strokeDasharray="3 3" label={limitLabel(`+${limits.bpRisePct}% ${riseSbp}`, C.rise)} />}
            <ReferenceLine y={limits.hrHighPerMin} stroke={C.hr} strokeDasharray="2 4" label={limitLabel(`HR ${limits.hrHighPerMin}`, C.hr)} />
            <ReferenceLine y={limits.hrLowPerMin} stroke={C.hr} strokeDasharray="2 4" label={limitLabel(`HR ${limits.hrLowPerMin}`, C.hr)} />
            <Tooltip labelFormatter={tooltipLabel} isAnimationActive={false} />
            <Line dataKey="systolicMmHg" name="Systolic" stroke={C.sbp} strokeWidth={2.5} dot={dotsFor(C.sbp, "Systolic", (p) => p.systolicMmHg, past.sbp)} isAnimationActive={false} />
            <Line dataKey="diastolicMmHg" name="Diastolic" stroke={C.dbp} strokeWidth={2.5} dot={dotsFor(C.dbp, "Diastolic", (p) => p.diastolicMmHg, past.dbp)} isAnimationActive={false} />
            <Line dataKey="heartRatePerMin" name="Heart rate" stroke={C.hr} strokeWidth={2} strokeDasharray="5 2" dot={dotsFor(C.hr, "Heart rate", (p) => p.heartRatePerMin, past.hr)} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </ChartFrame>
      <ChartFrame
        testId="vitals-resp-chart"
        title="Oxygen saturation and respiratory rate"
        summary={points.length === 0 ? "No vitals charted yet." : `Latest SpO2 ${last!.spo2Pct}% (flag below ${limits.spo2LowPct}%), RR ${last!.respRatePerMin}/min (flag below ${limits.rrLowPerMin} or above ${limits.rrHighPerMin}).`}
        height={170}
        legend={
          <>
            <LegendSwatch color={C.spo2} label={`SpO2 % (left axis), flag < ${limits.spo2LowPct}%`} />
            <LegendSwatch color={C.rr} label={`Respiratory rate per min (right axis), flag < ${limits.rrLowPerMin} or > ${limits.rrHighPerMin}`} />
            {respFlagged && <LegendSwatch color={C.limit} shape="triangle" label="Reading past a flag threshold" />}
          </>
        }
      >
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={resp} margin={{ top: 8, right: 0, bottom: 4, left: 0 }}>
            <CartesianGrid stroke="#e2e8f0" strokeDasharray="3 3" />
            <XAxis {...axisProps} />
            <YAxis yAxisId="spo2" domain={[spo2Min, 100]} width={40} fontSize={12} allowDecimals={false} />
            <YAxis yAxisId="rr" orientation="right" domain={[0, rrMax]} width={34} fontSize={12} allowDecimals={false} />
            <ReferenceLine yAxisId="spo2" y={limits.spo2LowPct} stroke={C.spo2} strokeDasharray="6 4" label={limitLabel(`SpO2 ${limits.spo2LowPct}`, C.spo2)} />
            <ReferenceLine yAxisId="rr" y={limits.rrLowPerMin} stroke={C.rr} strokeDasharray="2 4" label={limitLabel(`RR ${limits.rrLowPerMin}`, C.rr)} />
            <ReferenceLine yAxisId="rr" y={limits.rrHighPerMin} stroke={C.rr} strokeDasharray="2 4" label={limitLabel(`RR ${limits.rrHighPerMin}`, C.rr)} />
            <Tooltip labelFormatter={tooltipLabel} isAnimationActive={false} />
            <Line yAxisId="spo2" dataKey="spo2Pct" name="SpO2 %" stroke={C.spo2} strokeWidth={2.5} dot={dotsFor(C.spo2, "SpO2", (p) => p.spo2Pct, past.spo2)} isAnimationActive={false} />
            <Line yAxisId="rr" dataKey="respRatePerMin" name="Resp. rate" stroke={C.rr} strokeWidth={2} strokeDasharray="5 2" dot={dotsFor(C.rr, "Resp. rate", (p) => p.respRatePerMin, past.rr)} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </ChartFrame>
    </div>
  );
}
