"use client";
import { CartesianGrid, ComposedChart, Line, ReferenceArea, ReferenceLine, ResponsiveContainer, Scatter, Tooltip, XAxis, YAxis } from "recharts";
import { integrateDose, type DoseEventPoint } from "@/lib/domain/dose";
import { downsampleSeries } from "@/lib/domain/downsample";
import { classifyBolus, classifyRate } from "@/lib/domain/flags";
import type { LimitZone } from "@/lib/domain/limits";
import { documentedBand, type ProtocolLimits, type ProtocolRoute } from "@/lib/domain/protocol";
import { formatMg, formatMgPerKgPerH } from "@/lib/domain/units";
import { ChartFrame, LegendSwatch } from "./chart-frame";
import { clockTickFormatter, clockTicks, sessionDomain } from "./time-axis";

const COLORS = { line: "#0f5c73", band: "#15803d", start: "#0369a1", soft: "#b45309", hard: "#b91c1c", bolus: "#7c3aed", now: "#64748b" };
const MAX_POINTS = 2000;

type StepPoint = { t: number; rateMgPerKgPerH: number };
type Marker = { t: number; rateMgPerKgPerH: number; kind: "RATE" | "BOLUS"; zone: LimitZone; text: string };

/**
 * The rate line (step after each event; 0 while paused or stopped) from the integration's
 * running segments, and one marker per charted rate or bolus, classified against the
 * protocol exactly like the flag engine: a START against the start range when there is
 * one, later rates against the whole documented span.
 */
export function titrationSeries(points: DoseEventPoint[], limits: ProtocolLimits, weightG: number, untilMs: number, route: ProtocolRoute = "IV") {
  const dose = integrateDose(points, weightG, untilMs);
  const steps: StepPoint[] = [];
  let lastTo: number | null = null;
  for (const seg of dose.segments) {
    if (lastTo !== null && seg.fromMs > lastTo) steps.push({ t: lastTo, rateMgPerKgPerH: 0 });
    steps.push({ t: seg.fromMs, rateMgPerKgPerH: seg.rateUgPerKgPerH / 1000 });
    lastTo = seg.toMs;
  }
  const last = dose.segments.at(-1);
  if (last) steps.push({ t: last.toMs, rateMgPerKgPerH: dose.state === "RUNNING" ? last.rateUgPerKgPerH / 1000 : 0 });

  const band = documentedBand(limits);
  const hasStart = band.startMinUgPerKgPerH !== null || band.startMaxUgPerKgPerH !== null;
  const rateAt = (t: number) => dose.segments.find((s) => s.fromMs <= t && t <= s.toMs)?.rateUgPerKgPerH ?? 0;
  const markers: Marker[] = [];
  for (const p of [...points].sort((a, b) => a.atMs - b.atMs)) {
    if (p.atMs > untilMs) continue;
    if ((p.type === "START" || p.type === "RATE_CHANGE") && typeof p.rateUgPerKgPerH === "number") {
      // the flag engine's own classification, so a marker is coloured exactly as its flag
      const zone = classifyRate(limits, p.type, p.rateUgPerKgPerH, route);
      markers.push({ t: p.atMs, rateMgPerKgPerH: p.rateUgPerKgPerH / 1000, kind: "RATE", zone, text: `${p.type === "START" ? "Start" : "Rate"} ${formatMgPerKgPerH(p.rateUgPerKgPerH)} mg/kg/h` });
    } else if (p.type === "BOLUS" && typeof p.bolusUg === "number") {
      const zone = classifyBolus(limits, weightG, p.bolusUg, route);
      markers.push({ t: p.atMs, rateMgPerKgPerH: rateAt(p.atMs) / 1000, kind: "BOLUS", zone, text: `Bolus ${formatMg(p.bolusUg)} mg` });
    }
  }
  return { dose, steps, markers, band, hasStart };
}

function MarkerShape(props: { cx?: number; cy?: number; payload?: Marker }) {
  const { cx, cy, payload } = props;
  if (cx === undefined || cy === undefined || !payload) return <g />;
  if (payload.kind === "BOLUS") {
    const isHard = payload.zone === "AT_OR_ABOVE_HARD";
    const isSoft = payload.zone === "ABOVE_SOFT";
    // a flagged bolus also says so in words above it: the outline's colour alone would not
    return (
      <g data-testid="bolus-marker" data-zone={payload.zone} data-shape="triangle">
        <path
          d={`M${cx} ${cy - 9} L${cx + 8} ${cy + 5} L${cx - 8} ${cy + 5} Z`}
          fill={COLORS.bolus} stroke={isHard ? COLORS.hard : isSoft ? COLORS.soft : "#fff"} strokeWidth={isHard || isSoft ? 3 : 1.5}
        >
          <title>{`${payload.text}${isHard ? ": at or above the hard limit" : isSoft ? ": above the documented range" : ""}`}</title>
        </path>
        {(isHard || isSoft) && (
          <text x={cx} y={cy - 13} textAnchor="middle" fontSize={11} fontWeight={700} fill={isHard ? COLORS.hard : COLORS.soft} aria-hidden="true">{isHard ? "■ hard" : "▲ high"}</text>
        )}
      </g>
    );
  }
  if (payload.zone === "AT_OR_ABOVE_HARD")
    return <rect data-testid="hard-limit-point" data-shape="square" x={cx - 7} y={cy - 7} width={14} height={14} fill={COLORS.hard} stroke="#fff" strokeWidth={1.5}><title>{`${payload.text}: at or above the hard limit`}</title></rect>;
  if (payload.zone === "ABOVE_SOFT" || payload.zone === "BELOW_SOFT")
    return <path data-testid="out-of-range-point" data-shape="diamond" d={`M${cx} ${cy - 9} L${cx + 9} ${cy} L${cx} ${cy + 9} L${cx - 9} ${cy} Z`} fill={COLORS.soft} stroke="#fff" strokeWidth={1.5}><title>{`${payload.text}: outside the documented range`}</title></path>;
  return <circle data-testid="rate-point" data-shape="dot" cx={cx} cy={cy} r={5} fill={COLORS.line} stroke="#fff" strokeWidth={1.5}><title>{payload.text}</title></circle>;
}

export function TitrationChart({
  points, limits, weightG, openedAtMs, endMs, timeZone, route = "IV", notes,
}: {
  points: DoseEventPoint[];
  limits: ProtocolLimits;
  /** the protocol's route: the anaesthetic edge is an IV limit (decision 0009) */
  route?: ProtocolRoute;
  weightG: number;
  openedAtMs: number;
  endMs: number;
  timeZone: string;
  /** added to a marker's tooltip by event time: the pump's rounded mL/h, "late entry" */
  notes?: ReadonlyMap<number, string>;
}) {
  const series = titrationSeries(points, limits, weightG, endMs, route);
  const { dose, steps: allSteps, band, hasStart } = series;
  const markers = notes ? series.markers.map((m) => ({ ...m, text: `${m.text}${notes.get(m.t) ?? ""}` })) : series.markers;
  const steps = allSteps.length > MAX_POINTS ? downsampleSeries(allSteps, MAX_POINTS, () => false, (p) => p.rateMgPerKgPerH) : allSteps;
  const domain = sessionDomain(openedAtMs, endMs, markers.map((m) => m.t));
  const ticks = clockTicks(domain[0], domain[1], timeZone);
  const fmt = clockTickFormatter(timeZone, domain[1] - domain[0]);
  const hard = band.hardMaxUgPerKgPerH / 1000;
  const maxRate = Math.max(0, ...markers.map((m) => m.rateMgPerKgPerH), ...steps.map((s) => s.rateMgPerKgPerH));
  const yMax = Math.ceil(Math.max(hard * 1.08, maxRate * 1.1, (band.maxUgPerKgPerH ?? 0) / 1000 * 1.3) * 10) / 10;
  const outOfRange = markers.filter((m) => m.kind === "RATE" && (m.zone === "ABOVE_SOFT" || m.zone === "BELOW_SOFT"));
  const atHard = markers.filter((m) => m.kind === "RATE" && m.zone === "AT_OR_ABOVE_HARD");
  const boluses = markers.filter((m) => m.kind === "BOLUS");
  const r = (ug: number | null) => (ug === null ? "—" : formatMgPerKgPerH(ug));
  const bandLabel = band.maxUgPerKgPerH !== null ? `Documented range ${r(band.minUgPerKgPerH)}–${r(band.maxUgPerKgPerH)} mg/kg/h` : "No documented rate range";
  const summary = [
    markers.length === 0 ? "No rate charted yet." : `Rate by clock, ${fmt(domain[0])} to ${fmt(domain[1])}.`,
    `${bandLabel}.`,
    hasStart ? `Start range ${r(band.startMinUgPerKgPerH)}–${r(band.startMaxUgPerKgPerH)} mg/kg/h.` : "",
    `Hard limit ${formatMgPerKgPerH(band.hardMaxUgPerKgPerH)} mg/kg/h.`,
    `Current rate ${dose.state === "RUNNING" ? `${formatMgPerKgPerH(dose.currentRateUgPerKgPerH)} mg/kg/h` : dose.state.toLowerCase().replace("_", " ")}; peak ${formatMgPerKgPerH(dose.peakRateUgPerKgPerH)} mg/kg/h.`,
    `${outOfRange.length} rate${outOfRange.length === 1 ? "" : "s"} outside the documented range${outOfRange.length ? ` (${outOfRange.map((m) => `${m.text} at ${fmt(m.t)}`).join("; ")})` : ""}.`,
    atHard.length ? `${atHard.length} at or above the hard limit.` : "",
    `${boluses.length} bolus${boluses.length === 1 ? "" : "es"}${boluses.length ? ` (${boluses.map((b) => `${b.text} at ${fmt(b.t)}`).join("; ")})` : ""}.`,
  ].filter(Boolean).join(" ");

  return (
    <ChartFrame
      testId="titration-chart"
      title="Titration: infusion rate in mg/kg/h"
      summary={summary}
      height={260}
      legend={
        <>
          <LegendSwatch color={COLORS.line} label="Rate" />
          <LegendSwatch color={COLORS.band} shape="box" label={bandLabel} />
          {hasStart && <LegendSwatch color={COLORS.start} shape="box" label={`Start range ${r(band.startMinUgPerKgPerH)}–${r(band.startMaxUgPerKgPerH)}`} />}
          <LegendSwatch color={COLORS.hard} dashed label={`Hard limit ${formatMgPerKgPerH(band.hardMaxUgPerKgPerH)}`} />
          <LegendSwatch color={COLORS.line} shape="dot" label="Rate charted, in range" />
          <LegendSwatch color={COLORS.soft} shape="diamond" label={`Outside documented range (${outOfRange.length})`} />
          <LegendSwatch color={COLORS.hard} shape="square" label={`At or above the hard limit (${atHard.length})`} />
          <LegendSwatch color={COLORS.bolus} shape="triangle" label={`Bolus (${boluses.length}); "▲ high" or "■ hard" above one past a limit`} />
        </>
      }
    >
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid stroke="#e2e8f0" strokeDasharray="3 3" />
          <XAxis dataKey="t" type="number" domain={domain} ticks={ticks} tickFormatter={fmt} allowDataOverflow scale="time" fontSize={12} />
          <YAxis dataKey="rateMgPerKgPerH" type="number" domain={[0, yMax]} tickFormatter={(v: number) => v.toFixed(2)} width={44} fontSize={12} allowDataOverflow />
          {band.maxUgPerKgPerH !== null && (
            <ReferenceArea
              y1={(band.minUgPerKgPerH ?? 0) / 1000} y2={band.maxUgPerKgPerH / 1000} ifOverflow="extendDomain"
              shape={(p: { x?: number; y?: number; width?: number; height?: number }) => (
                <rect data-testid="documented-band" x={p.x} y={p.y} width={p.width} height={p.height} fill={COLORS.band} fillOpacity={0.14} stroke={COLORS.band} strokeOpacity={0.5} />
              )}
            />
          )}
          {hasStart && (
            <ReferenceArea
              y1={(band.startMinUgPerKgPerH ?? 0) / 1000} y2={(band.startMaxUgPerKgPerH ?? band.maxUgPerKgPerH ?? 0) / 1000}
              shape={(p: { x?: number; y?: number; width?: number; height?: number }) => (
                <rect data-testid="start-band" x={p.x} y={p.y} width={p.width} height={p.height} fill={COLORS.start} fillOpacity={0.1} stroke={COLORS.start} strokeDasharray="6 4" />
              )}
            />
          )}
          <ReferenceLine y={hard} stroke={COLORS.hard} strokeWidth={2} strokeDasharray="8 4" label={{ value: `Hard limit ${formatMgPerKgPerH(band.hardMaxUgPerKgPerH)}`, position: "insideTopRight", fill: COLORS.hard, fontSize: 12 }} />
          <Tooltip
            labelFormatter={(t) => fmt(Number(t))}
            formatter={(v) => [`${Number(v).toFixed(3)} mg/kg/h`, "Rate"]}
            isAnimationActive={false}
          />
          <Line data={steps} dataKey="rateMgPerKgPerH" type="stepAfter" stroke={COLORS.line} strokeWidth={3} dot={false} activeDot={false} isAnimationActive={false} name="Rate" />
          <Scatter data={markers} dataKey="rateMgPerKgPerH" shape={MarkerShape} isAnimationActive={false} name="Events" />
        </ComposedChart>
      </ResponsiveContainer>
    </ChartFrame>
  );
}
