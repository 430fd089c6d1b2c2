"use client";
import dynamic from "next/dynamic";
import { Component, type ReactNode } from "react";
import { lazyChunk } from "@/lib/client/lazy-chunks";
import type { Chart } from "./rows";

/**
 * The session chart's three drawings (titration, vitals, pain) load after the page
 * (docs/decisions/0022-lazy-chart-code.md): their code (recharts) is the larger part of the
 * page's JavaScript, and the forms, the live header and the flags a nurse acts on must not
 * wait for it. Every number the drawings show is also in the live header and the chart log.
 * The service worker keeps the chunk for an offline reload (lib/client/lazy-chunks.ts); if it
 * still cannot load, the page says so and keeps working.
 */
const SessionCharts = dynamic(
  () => lazyChunk(import("./session-charts")).then((m) => m.SessionCharts),
  { ssr: false, loading: () => <ChartsPlaceholder text="Drawing the charts…" /> },
);

export function LazySessionCharts({ chart, timeZone }: { chart: Chart; timeZone: string }) {
  return (
    <ChartsBoundary>
      <SessionCharts chart={chart} timeZone={timeZone} />
    </ChartsBoundary>
  );
}

function ChartsPlaceholder({ text, alert }: { text: string; alert?: boolean }) {
  return (
    <p className={`card text-sm ${alert ? "border-2 border-soft font-semibold" : "text-slate-700"}`} role={alert ? "alert" : "status"} data-testid="charts-placeholder">
      {text}
    </p>
  );
}

/** A chart drawing that cannot load (no network, code not on this device) never takes the page down. */
class ChartsBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  render() {
    if (this.state.failed) {
      return <ChartsPlaceholder alert text="The charts could not be drawn on this device (no network?). Every entry is in the chart log below; reload the page when the network is back to see the charts." />;
    }
    return this.props.children;
  }
}
