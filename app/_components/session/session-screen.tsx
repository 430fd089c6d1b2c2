"use client";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { coalesce } from "@/lib/live-events";
import { useOfflineQueue } from "@/app/_components/data/offline-queue";
import { withQueuedRows, type QueuedEntry } from "@/lib/client/offline-queue";
import { SESSION_ACTION_PERMISSION, sessionAllows, type SessionAction } from "@/lib/domain/charting";
import { can } from "@/lib/permissions";
import { useLiveEvents } from "@/app/_components/data/live";
import { LazySessionCharts } from "./lazy-session-charts";
import { read } from "@/app/_components/data/use-read";
import { ChartLogs } from "./chart-logs";
import { ClockProvider } from "./clock";
import { formatDateHm } from "./clinic-time";
import { DoseEventForm } from "./dose-event-form";
import { flagLabel } from "./flag-display";
import { DeviceReadingsPanel } from "./device-readings-panel";
import { FlagsPanel } from "./flags-panel";
import { LiveHeader, VitalsCountdown } from "./live-header";
import { OfflinePanel } from "./offline-panel";
import { OpenedAtPanel } from "./opened-at-panel";
import { PainForm } from "./pain-form";
import { type Chart, type Correction } from "./rows";
import { SessionContext, type SessionCtx } from "./session-context";
import { SideEffectForm } from "./side-effect-form";
import { AddendaPanel, CompletePanel, SignPanel } from "./status-panels";
import { VitalsForm } from "./vitals-form";

/** The bedside chart of one session: live header, charting forms, charts, logs and flags. */
export function SessionScreen({ chart, timeZone, role }: { chart: Chart; timeZone: string; role: SessionCtx["role"] }) {
  return (
    <ClockProvider serverNowIso={chart.serverNow}>
      <SessionScreenBody chart={chart} timeZone={timeZone} role={role} />
    </ClockProvider>
  );
}

function SessionScreenBody({ chart: serverChart, timeZone, role }: { chart: Chart; timeZone: string; role: SessionCtx["role"] }) {
  // The chart every part of the screen computes from: the server's rows plus this user's
  // entries still waiting on this device (docs/decisions/0017-offline-charting.md), so the
  // live header, the vitals countdown and the flag badges keep computing offline.
  const queue = useOfflineQueue();
  // A write from any device (another nurse, the physician's acknowledgement, the clock's
  // flag) re-reads the chart within a second (decision 0014): as JSON, the same DTO the page
  // renders (GET /api/sessions/{id}), not a re-render of the whole page, which is what kept a
  // loaded machine over the second. The newer of that read and the page's own (after a save)
  // is shown; what is typed in a form stays, the forms are not remounted.
  const [liveChart, setLiveChart] = useState<Chart | null>(null);
  const newestChart = liveChart && Date.parse(liveChart.serverNow) > Date.parse(serverChart.serverNow) ? liveChart : serverChart;
  const sessionId = serverChart.id;
  // One re-read at a time and one trailing for whatever came meanwhile (a save's own read and
  // the event of that same save are two calls, at most two reads, never concurrent ones).
  // The newest copy wins, whatever order the answers arrive in.
  const reread = useMemo(() => coalesce(async () => {
    const result = await read<{ session: Chart }>(`/api/sessions/${sessionId}`);
    if (result.ok) {
      const next = result.data.session;
      setLiveChart((prev) => (prev && Date.parse(prev.serverNow) >= Date.parse(next.serverNow) ? prev : next));
    }
  }), [sessionId]);
  useLiveEvents(
    (e) => e.sessionId === sessionId || (e.sessionId === null && e.seriesId === serverChart.series.id),
    reread,
  );
  // The session changed state (completed, signed; here or on another device): the page around
  // the chart (its chair, the discharge link) is server-rendered, so it is rendered again.
  const router = useRouter();
  const liveStatus = newestChart.status;
  useEffect(() => {
    if (liveStatus !== serverChart.status) router.refresh();
  }, [liveStatus, serverChart.status, router]);
  const chart = useMemo(() => withQueuedRows(newestChart, queue.entries, queue.owner, queue.owner?.name ?? null), [newestChart, queue.entries, queue.owner]);
  // After this user's own save the chart is re-read the same way (not a re-render of the page
  // on the server, which competed with every other screen's re-read on a loaded machine); the
  // forms' buttons wait for it, so the next entry is made against the chart that holds this one.
  const [isRefreshing, setRefreshing] = useState(false);
  const [message, setMessage] = useState<{ text: string; key: number } | null>(null);
  // One form at a time re-enters an earlier entry: correcting a charted row and charting a
  // refused offline entry again each end the other (decision 0017).
  const [correction, setCorrection] = useState<Correction | null>(null);
  const [recharting, setRecharting] = useState<QueuedEntry | null>(null);
  const messageTimer = useRef<number | null>(null);

  const onSaved = useCallback<SessionCtx["onSaved"]>((text, flags) => {
    const raised = flags?.length
      ? ` ${flags.length} flag${flags.length > 1 ? "s" : ""} raised: ${flags.map((f) => `${flagLabel(f.code)} (${f.severity.toLowerCase()})`).join(", ")}.`
      : "";
    setMessage({ text: `✓ ${text}${raised}`, key: Date.now() });
    if (messageTimer.current) window.clearTimeout(messageTimer.current);
    messageTimer.current = window.setTimeout(() => setMessage(null), 8000);
    setRefreshing(true);
    void reread().finally(() => setRefreshing(false));
  }, [reread]);
  // A background re-read (the clock may have raised a flag, a queued entry was stored): the
  // forms do not wait for it, since nothing the nurse typed depends on it.
  const refreshChart = useCallback(() => { void reread(); }, [reread]);
  useEffect(() => () => { if (messageTimer.current) window.clearTimeout(messageTimer.current); }, []);
  const onQueued = useCallback<SessionCtx["onQueued"]>((text) => {
    setMessage({ text: `⟳ ${text}`, key: Date.now() });
    if (messageTimer.current) window.clearTimeout(messageTimer.current);
    messageTimer.current = window.setTimeout(() => setMessage(null), 8000);
  }, []);
  // an entry of the queue was stored (the chart now holds it) or refused (the chart holds what
  // it was refused for: a completed session, another device's entry): re-read the chart
  const { storedCount, refusedCount } = queue;
  useEffect(() => {
    if (storedCount > 0 || refusedCount > 0) refreshChart();
  }, [storedCount, refusedCount, refreshChart]);

  // The same rules the server applies (lib/domain/charting.ts): the role's permission and
  // what the session's status allows. Hiding a control is cosmetic; the server decides.
  const may = (action: SessionAction) => can({ role }, SESSION_ACTION_PERMISSION[action]) && sessionAllows(chart.status, action).allowed;
  const canChartDose = may("chart-dose");
  const canChartObservations = may("chart-observation");
  const doseDecision = sessionAllows(chart.status, "chart-dose");
  const showsForms = !sessionAllows(chart.status, "addendum").allowed;
  const formKinds = new Set<QueuedEntry["kind"]>(showsForms ? [
    ...(canChartDose ? ["dose-events" as const] : []),
    ...(canChartObservations ? ["vitals" as const, "pain" as const, "side-effects" as const] : []),
  ] : []);

  const ctx: SessionCtx = {
    chart, timeZone, role, onSaved, onQueued, refreshChart, correction, isRefreshing,
    startCorrection: (c) => { setRecharting(null); setCorrection(c); },
    cancelCorrection: () => setCorrection(null),
    recharting: recharting && formKinds.has(recharting.kind) ? recharting : null,
    startRecharting: (e) => { setCorrection(null); setRecharting(e); },
    cancelRecharting: () => setRecharting(null),
    formKinds,
  };

  return (
    <SessionContext.Provider value={ctx}>
      <div className="space-y-4">
        <LiveHeader chart={chart} timeZone={timeZone} />
        <VitalsCountdown chart={chart} timeZone={timeZone} />
        <OfflinePanel sessionId={chart.id} timeZone={timeZone} />
        <div
          role="status" aria-live="polite" data-testid="save-confirmation"
          className={message ? "rounded-md border-2 border-ok bg-green-50 px-4 py-2 font-semibold text-ok no-print" : "sr-only"}
        >
          {message?.text}
          {message && isRefreshing && <span className="ml-2 text-sm font-normal text-slate-600">Updating the chart…</span>}
        </div>
        <div className="grid gap-4 lg:grid-cols-[minmax(0,5fr)_minmax(0,7fr)] print:block">
          <div className="no-print space-y-4">
            {!showsForms ? (
              <AddendaPanel />
            ) : (
              <>
                {may("move-opened-at") && <OpenedAtPanel />}
                {canChartDose ? <DoseEventForm /> : !doseDecision.allowed && (
                  <p className="card text-sm">{doseDecision.reason} Vitals, pain scores and side effects can still be recorded until it is signed.</p>
                )}
                <DeviceReadingsPanel canValidate={canChartObservations} />
                {canChartObservations && <VitalsForm />}
                {canChartObservations && <PainForm />}
                {canChartObservations && <SideEffectForm />}
                {may("complete") && <CompletePanel />}
                {may("sign") && <SignPanel />}
              </>
            )}
          </div>
          <div className="space-y-4">
            <FlagsPanel />
            <LazySessionCharts chart={chart} timeZone={timeZone} />
          </div>
        </div>
        <section aria-labelledby="logs-h" className="space-y-3">
          <h2 id="logs-h" className="text-lg font-semibold">Chart log</h2>
          <ChartLogs chart={chart} canChartDose={canChartDose} canChartObservations={canChartObservations} />
        </section>
        {chart.status === "SIGNED" && <PrintAddenda chart={chart} timeZone={timeZone} />}
      </div>
    </SessionContext.Provider>
  );
}

/** On paper the addenda follow the log (the on-screen panel sits with the hidden forms). */
function PrintAddenda({ chart, timeZone }: { chart: Chart; timeZone: string }) {
  if (chart.addenda.length === 0) return null;
  return (
    <section className="hidden print:block">
      <h2 className="text-lg font-semibold">Addenda</h2>
      <ol>{chart.addenda.map((a) => <li key={a.id}>{a.text} — {a.author} ({formatDateHm(Date.parse(a.createdAt), timeZone)})</li>)}</ol>
    </section>
  );
}
