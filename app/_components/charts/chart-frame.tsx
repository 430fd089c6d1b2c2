"use client";

/**
 * A chart with an accessible name: a <figure> with a visible caption (and `data-testid`
 * for tests), and the drawing itself as role="img" summarised in words.
 */
export function ChartFrame({
  testId, title, summary, legend, children, height, footer,
}: {
  testId: string;
  title: string;
  summary: string;
  legend?: React.ReactNode;
  children: React.ReactNode;
  height: number;
  footer?: React.ReactNode;
}) {
  return (
    <figure data-testid={testId} className="card space-y-2">
      <figcaption>
        <span className="block text-base font-semibold">{title}</span>
        {legend && <span className="mt-1 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-700">{legend}</span>}
      </figcaption>
      <div role="img" aria-label={`${title}. ${summary}`} style={{ height }} className="w-full">
        {children}
      </div>
      {footer}
    </figure>
  );
}

/**
 * One legend entry: the mark as it is drawn in the chart (line, band, or the marker's shape),
 * so a flagged point is told apart by its shape, not only its colour (WCAG 1.4.1,
 * docs/decisions/0016-accessibility.md). `data-shape` lets the tests match legend to marks.
 */
export function LegendSwatch({ color, label, shape = "line", dashed, size, withLine }: {
  color: string; label: string; shape?: LegendShape; dashed?: boolean;
  /** a dot's radius, where the size carries the meaning (side-effect severity) */
  size?: number;
  /** a marker on its line (a line chart whose points carry the shape) */
  withLine?: boolean;
}) {
  return (
    <span className="inline-flex items-center gap-1" data-testid="legend-item" data-shape={shape}>
      <svg width="18" height="14" aria-hidden="true">
        {(shape === "line" || withLine) && <line x1="0" y1="7" x2="18" y2="7" stroke={color} strokeWidth={withLine ? 2 : 3} strokeDasharray={dashed ? "4 3" : undefined} />}
        {shape === "box" && <rect x="0" y="2" width="18" height="10" fill={color} fillOpacity="0.35" stroke={color} />}
        {shape === "hollow-box" && <rect x="1" y="2" width="16" height="10" fill="#fff" stroke={color} strokeWidth="2" strokeDasharray="4 2" />}
        {shape === "square" && <rect x="3" y="1" width="12" height="12" fill={color} />}
        {shape === "diamond" && <path d="M9 0 L16 7 L9 14 L2 7 Z" fill={color} />}
        {shape === "triangle" && <path d="M9 0 L16 13 L2 13 Z" fill={color} />}
        {shape === "dot" && <circle cx="9" cy="7" r={size ?? 4} fill={color} />}
        {shape === "ring" && <circle cx="9" cy="7" r="5" fill="#fff" stroke={color} strokeWidth="2" />}
      </svg>
      {label}
    </span>
  );
}

export type LegendShape = "line" | "box" | "hollow-box" | "square" | "diamond" | "triangle" | "dot" | "ring";

/**
 * A point drawn in one of the legend's shapes, for a recharts `shape` or `dot` renderer: marks
 * told apart by shape as well as colour, each with `data-shape` so the accessibility spec can
 * match it to a legend entry of the same shape (docs/decisions/0016-accessibility.md).
 */
export function ShapeMark({ cx, cy, shape, color, testId, size = 6, title }: {
  cx?: number; cy?: number; shape: "square" | "diamond" | "triangle" | "dot"; color: string; testId: string; size?: number; title?: string;
}) {
  if (cx === undefined || cy === undefined) return <g />;
  const common = { fill: color, stroke: "#fff", strokeWidth: 1.5, "data-testid": testId, "data-shape": shape };
  const t = title ? <title>{title}</title> : null;
  if (shape === "square") return <rect x={cx - size} y={cy - size} width={2 * size} height={2 * size} {...common}>{t}</rect>;
  const r = size + 2;
  if (shape === "diamond") return <path d={`M${cx} ${cy - r} L${cx + r} ${cy} L${cx} ${cy + r} L${cx - r} ${cy} Z`} {...common}>{t}</path>;
  if (shape === "triangle") return <path d={`M${cx} ${cy - r} L${cx + r} ${cy + r - 2} L${cx - r} ${cy + r - 2} Z`} {...common}>{t}</path>;
  return <circle cx={cx} cy={cy} r={size} {...common}>{t}</circle>;
}
