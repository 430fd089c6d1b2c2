"use client";
import { integrateDose, lastSetRateUgPerKgPerH, type InfusionState } from "@/lib/domain/dose";
import { vitalsDue } from "@/lib/domain/flags";
import {
  formatKg,
  formatMg,
  formatMgPerKg,
  formatMgPerKgPerH,
  formatMgPerMl,
  rateUgPerHFromPerKg,
} from "@/lib/domain/units";
import { pumpRounding } from "@/lib/domain/guards";
import { safetySettingsOf } from "@/lib/domain/protocol";
import { useEffect, useRef, useState } from "react";
import { useClockSkew, useNow } from "./clock";
import { formatDateHm, formatElapsed, formatHm } from "./clinic-time";
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
  const hasAllergy = allergies !== "" && !/^(none|nka|nkda|none known)/i.test(allergies);

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

/** Time to the next vitals (protocol interval after the last vitals in force), then OVERDUE. */
export function VitalsCountdown({ chart, timeZone }: { chart: Chart; timeZone: string }) {
  const nowMs = useNow(1000);
  const vitals = effectiveRows(chart.vitals);
  const lastMs = vitals.length ? Math.max(...vitals.map((v) => Date.parse(v.at))) : null;
  const due = vitalsDue({ limits: chart.protocol.limits, lastVitalsAtMs: lastMs, sessionOpenedAtMs: Date.parse(chart.openedAt), nowMs });
  const [announce, setAnnounce] = useState("");
  const wasOverdue = useRef<boolean | null>(null);
  useEffect(() => {
    if (wasOverdue.current !== null && wasOverdue.current !== due.overdue) setAnnounce(due.overdue ? "Vitals are overdue." : "");
    wasOverdue.current = due.overdue;
  }, [due.overdue]);

  if (chart.status !== "IN_PROGRESS") return null;
  const interval = chart.protocol.limits.vitalsIntervalMin;
  return (
    <section
      aria-label="Vitals due"
      data-testid="vitals-countdown"
      data-overdue={due.overdue ? "true" : "false"}
      className={`flex flex-wrap items-center gap-3 rounded-lg border-2 px-4 py-3 ${due.overdue ? "border-hard bg-hard-50 text-hard" : due.msUntilDue < 3 * 60_000 ? "border-soft bg-soft-50 text-[#7c3a06]" : "border-slate-200 bg-white"}`}
    >
      {due.overdue ? (
        <p className="text-lg font-bold">
          ⚠ VITALS OVERDUE by <span className="tabular-nums">{formatElapsed(-due.msUntilDue)}</span>
          <span className="ml-2 text-sm font-semibold">(were due {formatHm(due.dueAtMs, timeZone)})</span>
        </p>
      ) : (
        <p className="text-lg font-semibold">
          Next vitals due in <span className="tabular-nums">{formatElapsed(due.msUntilDue)}</span>
          <span className="ml-2 text-sm font-normal">at {formatHm(due.dueAtMs, timeZone)}</span>
        </p>
      )}
      <p className="text-sm">
        Every {interval} min · {lastMs === null ? "no vitals yet this session" : `last at ${formatHm(lastMs, timeZone)}`}
      </p>
      <span className="sr-only" aria-live="assertive">{announce}</span>
    </section>
  );
}
