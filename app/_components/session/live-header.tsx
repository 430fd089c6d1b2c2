"use client";
import { integrateDose, lastSetRateUgPerKgPerH, type InfusionState } from "@/lib/domain/dose";
import { safetySettingsOf } from "@/lib/domain/protocol";
import { vitalsSchedule } from "@/lib/domain/vitals-schedule";
import {
  formatKg,
  formatMg,
  formatMgPerKg,
  formatMgPerKgPerH,
  formatMgPerMl,
  rateUgPerHFromPerKg,
} from "@/lib/domain/units";
import { pumpRounding } from "@/lib/domain/guards";
import { useEffect, useRef, useState } from "react";
import { useClockSkew, useNow } from "./clock";
import { hasRecordedAllergy } from "./allergies";
import { useSession } from "./session-context";
import { formatDateHm, formatElapsed, formatHm } from "./clinic-time";
import { SyncBadge } from "./offline-panel";
import { bandText } from "./protocol-text";
import { doseRowToPoint, effectiveRows, evaluationNow, type Chart } from "./rows";

const STATE_TEXT: Record<InfusionState, { label: string; className: string }> = {
  NOT_STARTED: { label: "Not started", className: "bg-slate-200 text-ink" },
  RUNNING: { label: "● Running", className: "bg-ok text-white" },
  PAUSED: { label: "❚❚ Paused", className: "bg-soft text-white" },
  STOPPED: { label: "■ Stopped", className: "bg-slate-700 text-white" },
};

const STATUS_TEXT: Record<Chart["status"], string> = {
  IN_PROGRESS: "In progress",
  COMPLETED: "Completed, not signed",
  SIGNED: "Signed",
};

function ageYears(birthDate: string, nowMs: number): number {
  const b = new Date(`${birthDate}T00:00:00Z`);
  const n = new Date(nowMs);
  let age = n.getUTCFullYear() - b.getUTCFullYear();
  if (n.getUTCMonth() < b.getUTCMonth() || (n.getUTCMonth() === b.getUTCMonth() && n.getUTCDate() < b.getUTCDate())) age -= 1;
  return age;
}

/**
 * Who, what and how much, recomputed every second in the browser with the server's own
 * integration (integrateDose over the rows in force), so the totals never wait for a reload.
 */
export function LiveHeader({ chart, timeZone }: { chart: Chart; timeZone: string }) {
  const nowMs = useNow(1000);
  const skewMs = useClockSkew();
  const points = effectiveRows(chart.doseEvents).map(doseRowToPoint);
  // a completed session is totalled to its completion, like the server does
  const untilMs = chart.status === "IN_PROGRESS" ? evaluationNow(chart, nowMs) : Date.parse(chart.completedAt ?? chart.serverNow);
  const dose = integrateDose(points, chart.weightG, untilMs);
  const setRate = lastSetRateUgPerKgPerH(points, untilMs);
  const shownRate = dose.state === "RUNNING" ? dose.currentRateUgPerKgPerH : null;
  const state = STATE_TEXT[dose.state];
  const elapsedMs = dose.firstStartMs === null ? null : (dose.stopMs ?? untilMs) - dose.firstStartMs;
  const allergies = chart.patient.allergies.trim();
  const hasAllergy = hasRecordedAllergy(allergies);

  return (
    <section aria-labelledby="session-h" className="card space-y-3" data-testid="session-header">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h1 id="session-h" className="text-2xl font-bold">
            {chart.patient.name} <span className="text-base font-medium text-slate-600">MRN {chart.patient.mrn}</span>
          </h1>
          <p className="text-sm text-slate-700">
            {chart.patient.sex.toLowerCase()}, {ageYears(chart.patient.birthDate, nowMs)} y (born {chart.patient.birthDate}) ·{" "}
            <span className={hasAllergy ? "rounded bg-hard-50 px-1 font-bold text-hard" : ""}>Allergies: {allergies || "not recorded"}</span>
          </p>
          <p className="text-sm text-slate-700">
            <strong>{chart.protocol.name}</strong> (v{chart.protocol.version}, {chart.protocol.route}) · session {chart.sequence} of {chart.series.plannedSessions} planned
          </p>
          <p className="text-xs text-slate-600">{bandText(chart.protocol.limits)}</p>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <span className={`state-pill ${state.className}`} data-testid="infusion-state">Infusion: {state.label}</span>
          <span className="state-pill bg-calm-50 text-calm" data-testid="session-status">Session: {STATUS_TEXT[chart.status]}</span>
          <SyncBadge sessionId={chart.id} />
        </div>
      </div>
      <dl className="kv grid grid-cols-2 gap-x-4 gap-y-2 sm:grid-cols-4 lg:grid-cols-8">
        <div><dt>Weight used</dt><dd>{formatKg(chart.weightG)} kg</dd></div>
        <div><dt>Concentration</dt><dd>{formatMgPerMl(chart.concentrationUgPerMl)} mg/mL</dd></div>
        <div>
          <dt>{dose.stopMs !== null ? "Infusion ran" : "Since start"}</dt>
          <dd data-testid="elapsed">{elapsedMs === null ? "not started" : formatElapsed(elapsedMs)}</dd>
        </div>
        <div>
          <dt>Rate now</dt>
          <dd data-testid="current-rate">
            {shownRate !== null
              ? `${formatMgPerKgPerH(shownRate)} mg/kg/h`
              : dose.state === "PAUSED" && setRate !== null
                ? `paused (set ${formatMgPerKgPerH(setRate)})`
                : dose.state === "STOPPED" ? "stopped" : "not started"}
          </dd>
        </div>
        <div>
          <dt>mg/h</dt>
          <dd data-testid="current-mg-per-h">{shownRate !== null ? `${formatMg(rateUgPerHFromPerKg(shownRate, chart.weightG))} mg/h` : "—"}</dd>
        </div>
        <div>
          <dt>Pump</dt>
          {/* the pump's setting at its step (lib/domain/guards.ts pumpRounding), labelled so */}
          <dd data-testid="current-ml-per-h">{shownRate !== null && shownRate > 0 ? `${pumpRounding({ rateUgPerKgPerH: shownRate, weightG: chart.weightG, concentrationUgPerMl: chart.concentrationUgPerMl, settings: safetySettingsOf(chart.protocol.limits) }).pumpMlPerHText} mL/h (pump)` : "—"}</dd>
        </div>
        <div>
          <dt>Total given</dt>
          <dd data-testid="total-dose">{formatMg(dose.totalUg)} mg<span className="block text-sm">{formatMgPerKg(dose.totalUgPerKg)} mg/kg</span></dd>
        </div>
        <div>
          <dt>Opened</dt>
          <dd>{formatHm(Date.parse(chart.openedAt), timeZone)}{chart.nurse ? <span className="block text-xs font-normal">{chart.nurse}</span> : null}</dd>
        </div>
      </dl>
      {dose.bolusUg > 0 && <p className="text-xs text-slate-600">Total includes boluses of {formatMg(dose.bolusUg)} mg.</p>}
      {chart.status !== "IN_PROGRESS" && chart.completedAt && (
        <p className="text-sm">
          Completed {formatDateHm(Date.parse(chart.completedAt), timeZone)}
          {chart.signedAt && <> · Signed by <strong>{chart.signedBy}</strong> at {formatDateHm(Date.parse(chart.signedAt), timeZone)}</>}
        </p>
      )}
      {skewMs !== 0 && (
        <p role="status" className="text-xs font-semibold text-soft">
          This device&apos;s clock is off by {Math.round(Math.abs(skewMs) / 60_000)} min: times here use the server&apos;s clock.
        </p>
      )}
    </section>
  );
}

/** The vitals schedule at `nowMs`: the server's own function over the rows in force. */
function scheduleOf(chart: Chart, nowMs: number) {
  const limits = chart.protocol.limits;
  return vitalsSchedule({
    limits: { vitalsIntervalMin: limits.vitalsIntervalMin, vitalsAfterIncreaseMin: safetySettingsOf(limits).vitalsAfterIncreaseMin },
    doseEvents: effectiveRows(chart.doseEvents).map((r) => ({ ...doseRowToPoint(r), id: r.id, enteredAtMs: Date.parse(r.enteredAt) })),
    vitals: effectiveRows(chart.vitals).map((v) => ({ id: v.id, atMs: Date.parse(v.at), enteredAtMs: Date.parse(v.enteredAt) })),
    completedAtMs: chart.completedAt ? Date.parse(chart.completedAt) : null,
    nowMs,
  });
}

/** Whether a stored flag is the live flag of the overdue gap (keyed by the gap's start, decision 0009). */
function isFlagOfGap(f: Chart["flags"][number], key: string): boolean {
  return f.code === "VITALS_OVERDUE" && f.conditionKey === key && f.status !== "RESOLVED";
}

type CountdownStage = "later" | "soon" | "overdue";
/** The countdown turns amber this long before the due time. */
const DUE_SOON_MS = 3 * 60_000;
const STAGE_ANNOUNCEMENT: Record<CountdownStage, string> = {
  later: "",
  soon: "Vitals due in under 3 minutes.",
  overdue: "Vitals are overdue.",
};

/** How often the chart is re-read while vitals are overdue and the clock's flag is not in it yet. */
const OVERDUE_REFRESH_MS = 20_000;

/**
 * Time to the next vitals, then OVERDUE. The due time comes from the same function the
 * server's clock and flag engine use (lib/domain/vitals-schedule.ts): one interval after
 * START, after each set, sooner after a rate increase (docs/clinical-brief.md "What is
 * monitored"), so the header and the stored VITALS_OVERDUE flag cannot disagree
 * (docs/decisions/0011-clock-driven-flags.md).
 */
export function VitalsCountdown({ chart, timeZone }: { chart: Chart; timeZone: string }) {
  const nowMs = useNow(1000);
  const { refreshChart } = useSession();
  const schedule = scheduleOf(chart, nowMs);
  const vitals = effectiveRows(chart.vitals);
  const lastMs = vitals.length ? Math.max(...vitals.map((v) => Date.parse(v.at))) : null;
  const dueAtMs = schedule.nextDueAtMs;
  const isOverdue = schedule.isOverdue;
  // The gap now overdue is keyed by its start (lib/domain/session-flags.ts); the chart has the
  // clock's flag for it once a VITALS_OVERDUE flag of that key is stored.
  const openGap = isOverdue ? schedule.overdueGaps[schedule.overdueGaps.length - 1] : undefined;
  const overdueKey = openGap ? `VITALS_OVERDUE:${openGap.fromMs}` : null;
  const hasStoredFlag = overdueKey !== null && chart.flags.some((f) => isFlagOfGap(f, overdueKey));
  // Said aloud only when the countdown changes stage (due soon, overdue), never each second:
  // the ticking figure is outside the live region (docs/decisions/0016-accessibility.md).
  const msUntilDueNow = dueAtMs === null ? null : dueAtMs - nowMs;
  const stage: CountdownStage = isOverdue ? "overdue" : msUntilDueNow !== null && msUntilDueNow < DUE_SOON_MS ? "soon" : "later";
  const [announce, setAnnounce] = useState("");
  const lastStage = useRef<CountdownStage | null>(null);
  useEffect(() => {
    if (lastStage.current !== null && lastStage.current !== stage) setAnnounce(STAGE_ANNOUNCEMENT[stage]);
    lastStage.current = stage;
  }, [stage]);
  // While overdue and the server's flag is not in this chart yet, re-read the chart every
  // ~20 s (the clock raises it within 60 s of the due time) so the flags panel shows it
  // without the nurse charting anything or reloading.
  const needsRefresh = chart.status === "IN_PROGRESS" && isOverdue && !hasStoredFlag;
  useEffect(() => {
    if (!needsRefresh) return;
    const first = window.setTimeout(refreshChart, 2_000);
    const timer = window.setInterval(refreshChart, OVERDUE_REFRESH_MS);
    return () => {
      window.clearTimeout(first);
      window.clearInterval(timer);
    };
  }, [needsRefresh, refreshChart]);

  if (chart.status !== "IN_PROGRESS") return null;
  const interval = chart.protocol.limits.vitalsIntervalMin;
  const msUntilDue = dueAtMs === null ? null : dueAtMs - nowMs;
  return (
    <section
      aria-label="Vitals due"
      data-testid="vitals-countdown"
      data-overdue={isOverdue ? "true" : "false"}
      data-due-at={dueAtMs === null ? "" : new Date(dueAtMs).toISOString()}
      className={`flex flex-wrap items-center gap-3 rounded-lg border-2 px-4 py-3 ${isOverdue ? "border-hard bg-hard-50 text-hard" : stage === "soon" ? "border-soft bg-soft-50 text-[#7c3a06]" : "border-slate-200 bg-white"}`}
    >
      {dueAtMs === null || msUntilDue === null ? (
        <p className="text-lg font-semibold">No vitals due: {effectiveRows(chart.doseEvents).some((r) => r.type === "START") ? "the infusion was stopped" : "the infusion has not started"}</p>
      ) : isOverdue ? (
        <p className="text-lg font-bold">
          ⚠ VITALS OVERDUE by <span className="tabular-nums">{formatElapsed(-msUntilDue)}</span>
          <span className="ml-2 text-sm font-semibold">(were due {formatHm(dueAtMs, timeZone)})</span>
        </p>
      ) : (
        <p className="text-lg font-semibold">
          Next vitals due in <span className="tabular-nums">{formatElapsed(msUntilDue)}</span>
          <span className="ml-2 text-sm font-normal">at {formatHm(dueAtMs, timeZone)}</span>
        </p>
      )}
      <p className="text-sm">
        Every {interval} min, {safetySettingsOf(chart.protocol.limits).vitalsAfterIncreaseMin} min after a rate increase ·{" "}
        {lastMs === null ? "no vitals yet this session" : `last at ${formatHm(lastMs, timeZone)}`}
      </p>
      <span className="sr-only" role="status" aria-live="polite" data-testid="vitals-announcement">{announce}</span>
    </section>
  );
}
