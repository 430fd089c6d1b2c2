import { effectiveRows } from "@/lib/domain/charting";
import type { DoseEventPoint } from "@/lib/domain/dose";
import type { SessionFacts, SessionTimeline } from "@/lib/domain/session-flags";
import type { SessionChart } from "@/lib/server/sessions";

export type Chart = SessionChart;
export type DoseRow = Chart["doseEvents"][number];
export type VitalsRow = Chart["vitals"][number];
export type PainRow = Chart["painScores"][number];
export type SideEffectRow = Chart["sideEffects"][number];
export type FlagRow = Chart["flags"][number];
export type EntryKind = "dose-events" | "vitals" | "pain" | "side-effects";

// The server's own rules (lib/domain/charting.ts), so live totals match what it stores.
export { BACK_TIME_GRACE_MS, effectiveRows, FUTURE_SKEW_MS } from "@/lib/domain/charting";

/** The row that replaced `row` (a correction or a retraction), if any. */
export function replacementOf<T extends import("@/lib/domain/charting").Correctable>(rows: readonly T[], row: T): T | undefined {
  return rows.find((r) => r.correctsId === row.id);
}

export function doseRowToPoint(r: Pick<DoseRow, "type" | "at" | "rateUgPerKgPerH" | "bolusUg">): DoseEventPoint {
  return { type: r.type, atMs: Date.parse(r.at), rateUgPerKgPerH: r.rateUgPerKgPerH, bolusUg: r.bolusUg };
}


/** The row being corrected in one of the forms. */
export type Correction =
  | { kind: "dose-events"; row: DoseRow }
  | { kind: "vitals"; row: VitalsRow }
  | { kind: "pain"; row: PainRow }
  | { kind: "side-effects"; row: SideEffectRow };

export const DOSE_TYPE_LABELS: Record<DoseEventPoint["type"], string> = {
  START: "Start",
  RATE_CHANGE: "Rate change",
  BOLUS: "Bolus",
  PAUSE: "Pause",
  RESUME: "Resume",
  STOP: "Stop",
};

export const PAIN_PHASE_LABELS: Record<PainRow["phase"], string> = {
  PRE: "Before (PRE)",
  INTRA: "During (INTRA)",
  POST: "After (POST)",
  FOLLOW_UP: "Follow-up",
};

/** Field errors from a zod result: the first message per top-level field. */
export { fieldMessages as fieldErrorsOf } from "@/lib/validation/common";

/** The one typed-number reader (lib/validation/number-input.ts): "" is absent, never 0. */
export { parseNumberInput as readNumber } from "@/lib/validation/number-input";

/**
 * The instant to evaluate "now" at: the ticking clock, but never before the server's time
 * of this data or the latest entry (a clock that ticks every few seconds lags the entry
 * just saved, which would show a STOP as not yet happened).
 */
export function evaluationNow(chart: Chart, tickMs: number): number {
  const latest = chart.doseEvents.reduce((max, r) => Math.max(max, Date.parse(r.at)), 0);
  return Math.max(tickMs, Date.parse(chart.serverNow), latest);
}

/**
 * The session as the flag engine sees it, from the chart the page holds: the same facts and
 * effective timeline the server evaluates, so the live badge of a form is the server's verdict
 * (decision 0009). The series-level facts (earlier sessions, the previous weight) are not on
 * the chart; they only bear on conditions of the whole session, which no single entry changes.
 */
export function engineViewOf(chart: Chart): { session: SessionFacts; timeline: SessionTimeline; liveKeys: Set<string> } {
  const row = (r: { id: string; at: string; enteredAt: string }) => ({ id: r.id, atMs: Date.parse(r.at), enteredAtMs: Date.parse(r.enteredAt) });
  return {
    session: {
      sessionId: chart.id, weightG: chart.weightG, concentrationUgPerMl: chart.concentrationUgPerMl, route: chart.protocol.route,
      openedAtMs: Date.parse(chart.openedAt), status: chart.status, completedAtMs: chart.completedAt ? Date.parse(chart.completedAt) : null,
      previousWeightG: null, priorSessionStartsMs: [], plannedSessions: chart.series.plannedSessions,
    },
    timeline: {
      doseEvents: effectiveRows(chart.doseEvents).map((r) => ({ ...row(r), ...doseRowToPoint(r) })),
      vitals: effectiveRows(chart.vitals).map((r) => ({
        ...row(r), systolicMmHg: r.systolicMmHg, diastolicMmHg: r.diastolicMmHg, heartRatePerMin: r.heartRatePerMin, spo2Pct: r.spo2Pct, respRatePerMin: r.respRatePerMin,
      })),
      sideEffects: effectiveRows(chart.sideEffects).map((r) => ({ ...row(r), kind: r.kind, severity: r.severity })),
      pain: effectiveRows(chart.painScores).map((r) => ({ ...row(r), score: r.score, scale: r.scale, phase: r.phase })),
    },
    liveKeys: new Set(chart.flags.filter((f) => f.status !== "RESOLVED" && f.conditionKey).map((f) => f.conditionKey!)),
  };
}
