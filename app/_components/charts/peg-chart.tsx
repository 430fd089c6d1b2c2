"use client";
// PEG across the series (Krebs 2009: pain, interference with enjoyment of life and with
// general activity, each 0-10; the score is their mean), from the patient's check-ins.
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { ChartFrame, LegendSwatch, ShapeMark } from "./chart-frame";

export interface PegPoint { day: string; painNrs: number; enjoymentNrs: number; activityNrs: number; peg: number }

type PegDotProps = { key?: React.Key | null; cx?: number; cy?: number };

const C = { peg: "#0f5c73", pain: "#b91c1c", enjoyment: "#a21caf", activity: "#b45309" };

export function PegChart({ points }: { points: PegPoint[] }) {
  const data = points.map((p) => ({ ...p, t: Date.parse(`${p.day}T12:00:00Z`) }));
  const fmt = (t: number) => new Date(t).toISOString().slice(5, 10);
  const summary = points.length
    ? `${points.length} check-in${points.length === 1 ? "" : "s"}: ${points.slice(-20).map((p) => `${p.day} PEG ${p.peg.toFixed(1)} (pain ${p.painNrs}, enjoyment ${p.enjoymentNrs}, activity ${p.activityNrs})`).join("; ")}.`
    : "No check-ins yet.";
  return (
    <div data-chart-points={points.length}>
      <ChartFrame
        testId="peg-chart"
        title="PEG from the patient's check-ins (0-10)"
        summary={summary}
        height={220}
        legend={<>
          <LegendSwatch color={C.peg} shape="dot" withLine label="PEG score (mean of the three)" />
          <LegendSwatch color={C.pain} shape="square" withLine dashed label="Pain" />
          <LegendSwatch color={C.enjoyment} shape="diamond" withLine dashed label="Interference: enjoyment of life" />
          <LegendSwatch color={C.activity} shape="triangle" withLine dashed label="Interference: general activity" />
        </>}
      >
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={{ top: 8, right: 8, bottom: 4, left: 0 }}>
            <CartesianGrid stroke="#e2e8f0" strokeDasharray="3 3" />
            <XAxis dataKey="t" type="number" scale="time" domain={["dataMin", "dataMax"]} tickFormatter={fmt} fontSize={12} />
            <YAxis type="number" domain={[0, 10]} ticks={[0, 2, 4, 6, 8, 10]} width={30} fontSize={12} />
            <Tooltip labelFormatter={(t) => fmt(Number(t))} isAnimationActive={false} />
            {/* the three parts differ by their points' shape as well as colour (docs/decisions/0016-accessibility.md) */}
            <Line dataKey="peg" name="PEG" stroke={C.peg} strokeWidth={3} isAnimationActive={false}
              dot={(p: PegDotProps) => <ShapeMark key={p.key ?? undefined} cx={p.cx} cy={p.cy} shape="dot" color={C.peg} testId="peg-point" size={4} />} />
            <Line dataKey="painNrs" name="Pain" stroke={C.pain} strokeDasharray="5 4" isAnimationActive={false}
              dot={(p: PegDotProps) => <ShapeMark key={p.key ?? undefined} cx={p.cx} cy={p.cy} shape="square" color={C.pain} testId="peg-point" size={3.5} />} />
            <Line dataKey="enjoymentNrs" name="Enjoyment of life" stroke={C.enjoyment} strokeDasharray="5 4" isAnimationActive={false}
              dot={(p: PegDotProps) => <ShapeMark key={p.key ?? undefined} cx={p.cx} cy={p.cy} shape="diamond" color={C.enjoyment} testId="peg-point" size={3.5} />} />
            <Line dataKey="activityNrs" name="General activity" stroke={C.activity} strokeDasharray="5 4" isAnimationActive={false}
              dot={(p: PegDotProps) => <ShapeMark key={p.key ?? undefined} cx={p.cx} cy={p.cy} shape="triangle" color={C.activity} testId="peg-point" size={3.5} />} />
          </LineChart>
        </ResponsiveContainer>
      </ChartFrame>
    </div>
  );
}
