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

export function LegendSwatch({ color, label, shape = "line", dashed }: { color: string; label: string; shape?: "line" | "box" | "diamond" | "triangle" | "dot"; dashed?: boolean }) {
  return (
    <span className="inline-flex items-center gap-1">
      <svg width="18" height="12" aria-hidden="true">
        {shape === "line" && <line x1="0" y1="6" x2="18" y2="6" stroke={color} strokeWidth="3" strokeDasharray={dashed ? "4 3" : undefined} />}
        {shape === "box" && <rect x="0" y="1" width="18" height="10" fill={color} fillOpacity="0.35" stroke={color} />}
        {shape === "diamond" && <path d="M9 0 L15 6 L9 12 L3 6 Z" fill={color} />}
        {shape === "triangle" && <path d="M9 0 L16 12 L2 12 Z" fill={color} />}
        {shape === "dot" && <circle cx="9" cy="6" r="4" fill={color} />}
      </svg>
      {label}
    </span>
  );
}
