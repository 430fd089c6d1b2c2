"use client";
import { CartesianGrid, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from "recharts";
import { reliefPct, type PainScale } from "@/lib/domain/pain";
import { ChartFrame, LegendSwatch } from "./chart-frame";
import { clockTickFormatter, clockTicks, sessionDomain } from "./time-axis";

export interface PainPoint {
  t: number;
  score: number;
  scale: PainScale;
  phase: "PRE" | "INTRA" | "POST" | "FOLLOW_UP";
}

// each phase has its own shape as well as its colour (docs/decisions/0016-accessibility.md)
const PHASE = {
  PRE: { color: "#b91c1c", label: "Before", shape: "square" },
  INTRA: { color: "#b45309", label: "During", shape: "diamond" },
  POST: { color: "#15803d", label: "After", shape: "dot" },
  FOLLOW_UP: { color: "#0369a1", label: "Follow-up", shape: "triangle" },
} as const;

function PhaseMark({ cx, cy, phase }: { cx: number; cy: number; phase: PainPoint["phase"] }) {
  const { color, shape } = PHASE[phase];
  const common = { fill: color, stroke: "#fff", strokeWidth: 1.5, "data-testid": "pain-point", "data-shape": shape };
  if (shape === "square") return <rect x={cx - 6} y={cy - 6} width={12} height={12} {...common} />;
  if (shape === "diamond") return <path d={`M${cx} ${cy - 8} L${cx + 8} ${cy} L${cx} ${cy + 8} L${cx - 8} ${cy} Z`} {...common} />;
  if (shape === "triangle") return <path d={`M${cx} ${cy - 8} L${cx + 8} ${cy + 6} L${cx - 8} ${cy + 6} Z`} {...common} />;
  return <circle cx={cx} cy={cy} r={7} {...common} />;
}

function Dot(props: { cx?: number; cy?: number; payload?: PainPoint & { y: number } }) {
  const { cx, cy, payload } = props;
  if (cx === undefined || cy === undefined || !payload) return <g />;
  const color = PHASE[payload.phase].color;
  return (
    <g>
      <PhaseMark cx={cx} cy={cy} phase={payload.phase} />
      <text x={cx} y={cy - 11} textAnchor="middle" fontSize={12} fontWeight={700} fill={color}>
        {payload.scale === "NRS" ? payload.score : `${payload.score}mm`}
      </text>
    </g>
  );
}

/**
 * Pain during the session on the clock axis. VAS is kept on its own scale (mm, plotted
 * against the 0-100 right axis), never silently converted; follow-ups days later are
 * listed under the chart instead of stretching its axis.
 */
export function PainChart({ points, openedAtMs, endMs, timeZone }: { points: PainPoint[]; openedAtMs: number; endMs: number; timeZone: string }) {
  const inSession = points.filter((p) => p.phase !== "FOLLOW_UP");
  const followUps = points.filter((p) => p.phase === "FOLLOW_UP");
  const hasVas = inSession.some((p) => p.scale === "VAS");
  const domain = sessionDomain(openedAtMs, endMs, inSession.map((p) => p.t));
  const ticks = clockTicks(domain[0], domain[1], timeZone);
  const fmt = clockTickFormatter(timeZone, domain[1] - domain[0]);
  const dateFmt = clockTickFormatter(timeZone, Number.MAX_SAFE_INTEGER);
  const pre = inSession.filter((p) => p.phase === "PRE").at(-1) ?? null;
  const post = inSession.filter((p) => p.phase === "POST").at(-1) ?? null;
  const relief = reliefPct(pre, post);
  const text = (p: PainPoint) => (p.scale === "NRS" ? `${p.score}/10` : `${p.score} mm VAS`);
  const summary = points.length === 0
    ? "Nothing charted yet."
    : `${inSession.map((p) => `${PHASE[p.phase].label} ${text(p)} at ${fmt(p.t)}`).join("; ")}.${relief !== null ? ` Relief ${relief}% from before to after.` : ""}${followUps.length ? ` Follow-up: ${followUps.map((p) => `${text(p)} on ${dateFmt(p.t)}`).join("; ")}.` : ""}`;
  const nrs = inSession.filter((p) => p.scale === "NRS").map((p) => ({ ...p, y: p.score }));
  const vas = inSession.filter((p) => p.scale === "VAS").map((p) => ({ ...p, y: p.score }));

  return (
    <ChartFrame
      testId="pain-chart"
      title="Pain (NRS 0–10)"
      summary={summary}
      height={180}
      footer={followUps.length > 0 ? <p className="text-xs text-slate-700">Follow-up: {followUps.map((p) => `${text(p)} on ${dateFmt(p.t)}`).join(" · ")}</p> : undefined}
      legend={
        <>
          {(["PRE", "INTRA", "POST"] as const).map((k) => <LegendSwatch key={k} color={PHASE[k].color} shape={PHASE[k].shape} label={PHASE[k].label} />)}
          <span>NRS 0–10 (left axis){hasVas ? "; VAS 0–100 mm (right axis)" : ""}</span>
          {relief !== null && <strong>Relief before → after: {relief}%</strong>}
        </>
      }
    >
      <ResponsiveContainer width="100%" height="100%">
        <ScatterChart margin={{ top: 18, right: hasVas ? 0 : 16, bottom: 4, left: 0 }}>
          <CartesianGrid stroke="#e2e8f0" strokeDasharray="3 3" />
          <XAxis dataKey="t" type="number" domain={domain} ticks={ticks} tickFormatter={fmt} allowDataOverflow scale="time" fontSize={12} />
          <YAxis yAxisId="nrs" dataKey="y" type="number" domain={[0, 10]} ticks={[0, 2, 4, 6, 8, 10]} width={32} fontSize={12} />
          {hasVas && <YAxis yAxisId="vas" dataKey="y" type="number" orientation="right" domain={[0, 100]} width={36} fontSize={12} />}
          <Tooltip labelFormatter={(t) => fmt(Number(t))} isAnimationActive={false} />
          <Scatter yAxisId="nrs" data={nrs} shape={Dot} isAnimationActive={false} name="NRS" />
          {hasVas && <Scatter yAxisId="vas" data={vas} shape={Dot} isAnimationActive={false} name="VAS" />}
        </ScatterChart>
      </ResponsiveContainer>
    </ChartFrame>
  );
}
