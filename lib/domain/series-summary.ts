// A series across weeks, the way a reviewing physician reads it (docs/clinical-brief.md "Who uses it"):
// did pain come down and for how long (relief %, responder, durability), at what dose
// (total mg/kg and peak mg/kg/h against the protocol's documented band), with what side
// effects and flags, and is the schedule kept (planned vs actual dates). Pure: calendar
// dates come in as clinic-local "YYYY-MM-DD" strings, computed by the caller.

import { integrateDose, type DoseEventPoint } from "./dose";
import { classify, type LimitZone } from "./limits";
import { downsampleSeries } from "./downsample";
import { classifyResponse, describeRelief, durabilityDays, MEANINGFUL_RELIEF_PCT, sessionPrePost, SUBSTANTIAL_RELIEF_PCT, type PainReading, type ResponderClass } from "./pain";
import { safetySettingsOf } from "./protocol";
import type { ProtocolLimits } from "./protocol";
import { MS_PER_DAY, roundDivBig } from "./units";

/** No chart draws more than this many points (decision 0005, the review page's speed). */
export const MAX_CHART_POINTS = 2000;

/**
 * [default] A session is late when it starts more than this many calendar days after its
 * planned date (clinic default, not from the source documents).
 */
export const LATE_GRACE_DAYS = 1;

export interface SummaryPainScore {
  atMs: number;
  score: number;
  scale: PainReading["scale"];
  phase: "PRE" | "INTRA" | "POST" | "FOLLOW_UP";
  /** who gave it: staff charting, or the patient on a check-in (decision 0020); absent = staff */
  reportedBy?: "STAFF" | "PATIENT";
}

export interface SummarySessionInput {
  id: string;
  sequence: number;
  status: "IN_PROGRESS" | "COMPLETED" | "SIGNED";
  openedAtMs: number;
  /** clinic-local calendar date of openedAt, YYYY-MM-DD */
  date: string;
  completedAtMs: number | null;
  weightG: number;
  /** dose events in force (corrections applied) */
  doseEvents: DoseEventPoint[];
  /** pain scores in force of this session, FOLLOW_UP included */
  pain: SummaryPainScore[];
  /** side effects in force */
  sideEffects: { kind: string; severity: number }[];
  flags: { code: string; severity: "SOFT" | "HARD"; acknowledged: boolean }[];
}

export type DoseZone = LimitZone | "NO_BAND";

export interface SessionSummaryRow {
  sessionId: string;
  sequence: number;
  status: SummarySessionInput["status"];
  date: string;
  atMs: number;
  /** planned calendar date (startDate + (sequence - 1) × intervalDays), null without an interval */
  plannedDate: string | null;
  /** calendar days after the planned date (negative: early), null without a plan */
  daysFromPlan: number | null;
  isLate: boolean;
  /** days since the previous session started, one decimal */
  daysSincePrevious: number | null;
  intervalTooShort: boolean;
  pre: PainReading | null;
  post: PainReading | null;
  /** pain on the 0-10 grid (VAS ÷ 10), one decimal */
  preNrs: number | null;
  postNrs: number | null;
  /** relief between scores of one scale; null for a mixed pair (see reliefText) */
  reliefPct: number | null;
  /** counted in the responder rule: one scale, baseline at or above the low-baseline threshold */
  reliefCountsForResponse: boolean;
  /** what the relief is and why it is or is not counted, e.g. "NRS 3 → NRS 0: 100% relief; baseline below 4/10, not counted as a response" */
  reliefText: string;
  totalUgPerKg: number;
  totalMgPerKg: number;
  peakRateUgPerKgPerH: number;
  peakRateMgPerKgPerH: number;
  /** the peak rate against the documented rate band */
  peakRateZone: DoseZone;
  /** the session total against the protocol's documented cumulative ceiling (µg/kg) */
  totalZone: DoseZone;
  maxSideEffectSeverity: number;
  /** kind -> maximum severity in this session */
  sideEffects: Record<string, number>;
  openFlags: number;
  ackedFlags: number;
  openHardFlags: number;
  /** days until relief fell below 30% at follow-up; null: not recorded or relief ongoing */
  durabilityDays: number | null;
  /** follow-up scores after this session (before the next one), on the 0-10 grid */
  followUps: { atMs: number; nrs: number; scale: PainReading["scale"]; score: number; reportedBy: "STAFF" | "PATIENT" }[];
}

export interface ResponseSummary {
  responder: ResponderClass;
  /** mean relief >= 30% (meaningful) / >= 50% (substantial) */
  isResponder30: boolean;
  isResponder50: boolean;
  meanReliefPct: number | null;
  sessionsWithScores: number;
  /** sessions whose own relief reached 30% / 50% */
  sessionsAtOrAbove30: number;
  sessionsAtOrAbove50: number;
  /** mean days relief lasted, over sessions where follow-up showed relief fallen below 30% */
  meanDurabilityDays: number | null;
  sessionsWithDurability: number;
  /** sessions whose follow-up scores all still show relief of 30% or more (relief outlasted follow-up) */
  sessionsReliefOngoing: number;
  /** sessions whose relief is shown but not counted: pre-infusion pain below the low-baseline threshold [default 4/10] */
  sessionsExcludedLowBaseline: number;
  /** says so when sessions were left out of the response; null otherwise */
  responseNote: string | null;
}

export interface ScheduleSummary {
  plannedSessions: number;
  sessionsDone: number;
  sessionsInProgress: number;
  lateSessions: number;
  intervalTooShortSessions: number;
  /** next planned date: the later of the plan and last start + interval; null when done or no interval */
  nextDueDate: string | null;
}

export interface SeriesSummary {
  rows: SessionSummaryRow[];
  response: ResponseSummary;
  schedule: ScheduleSummary;
  dose: { meanTotalMgPerKg: number | null; maxPeakRateMgPerKgPerH: number | null; sessionsOutsideBand: number };
  sideEffectBurden: { sessionsWithSideEffects: number; maxSeverity: number; kinds: Record<string, number> };
  flags: { open: number; acknowledged: number; openHard: number };
}

/** "YYYY-MM-DD" -> days since 1970-01-01 (calendar arithmetic, no zones involved). */
export function dayNumber(date: string): number {
  const [y, m, d] = date.split("-").map(Number);
  return Math.round(Date.UTC(y!, m! - 1, d!) / MS_PER_DAY);
}
/** days since 1970-01-01 -> "YYYY-MM-DD". */
export function dateOfDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** A pain reading on the 0-10 grid, one decimal (VAS 0-100 mm ÷ 10). */
export function nrsOf(r: PainReading): number {
  return r.scale === "VAS" ? Math.round(r.score) / 10 : r.score;
}

const oneDecimal = (numerator: number, denominator: number) =>
  Number(roundDivBig(BigInt(Math.round(numerator * 10)), BigInt(denominator))) / 10;

/**
 * The planned date of session `sequence` (1-based): startDate + (sequence - 1) × intervalDays.
 * Null when the series has no interval.
 */
export function plannedDateOf(startDate: string, intervalDays: number | null, sequence: number): string | null {
  if (intervalDays === null || intervalDays <= 0) return null;
  return dateOfDay(dayNumber(startDate) + (sequence - 1) * intervalDays);
}

/**
 * The date the next session is due: the later of its planned date and the last session's
 * date + intervalDays (a late session pushes the schedule). Null when every planned
 * session has started or the series has no interval.
 */
export function nextSessionDueDate(input: {
  startDate: string; intervalDays: number | null; plannedSessions: number; sessionsStarted: number; lastSessionDate: string | null;
}): string | null {
  const { intervalDays } = input;
  if (intervalDays === null || intervalDays <= 0 || input.sessionsStarted >= input.plannedSessions) return null;
  const planned = dayNumber(plannedDateOf(input.startDate, intervalDays, input.sessionsStarted + 1)!);
  const afterLast = input.lastSessionDate ? dayNumber(input.lastSessionDate) + intervalDays : planned;
  return dateOfDay(Math.max(planned, afterLast));
}

/**
 * Builds the per-session rows and the series summary.
 * - pre and post as `sessionPrePost` (pain.ts) defines them, as the exports do (rows in force);
 * - dose from the integration of the session's events (µg/kg, µg/kg/h), the peak rate
 *   classified against the documented band exactly like the flag engine (inclusive soft
 *   bounds, hard at or above), the total against maxCumulativeUgPerKg;
 * - durability from the FOLLOW_UP scores after the session's end and before the next
 *   session's start: until relief from the pre score fell below 30% (pain.ts durabilityDays);
 * - relief only between scores of one scale; a pre score below the low-baseline threshold
 *   [default 4/10] is shown but left out of the responder rule, and responseNote says so;
 * - late: started more than LATE_GRACE_DAYS calendar days after the planned date.
 */
export function summarizeSeries(input: {
  sessions: SummarySessionInput[];
  limits: ProtocolLimits;
  plannedSessions: number;
  intervalDays: number | null;
  startDate: string;
  nowMs: number;
}): SeriesSummary {
  const { limits } = input;
  const { lowBaselinePainNrs } = safetySettingsOf(limits);
  const sessions = [...input.sessions].sort((a, b) => a.sequence - b.sequence);
  const rows: SessionSummaryRow[] = sessions.map((s, i) => {
    const previous = sessions[i - 1];
    const next = sessions[i + 1];
    const untilMs = s.status === "IN_PROGRESS" ? input.nowMs : (s.completedAtMs ?? input.nowMs);
    const dose = integrateDose(s.doseEvents, s.weightG, untilMs);
    const { pre: preScore, post: postScore } = sessionPrePost(s.pain);
    const byTime = [...s.pain].sort((a, b) => a.atMs - b.atMs);
    const pre = preScore ? { score: preScore.score, scale: preScore.scale } : null;
    const post = postScore ? { score: postScore.score, scale: postScore.scale } : null;
    const endMs = dose.stopMs ?? s.completedAtMs ?? postScore?.atMs ?? s.openedAtMs;
    const followUps = byTime
      .filter((p) => p.phase === "FOLLOW_UP" && p.atMs >= endMs && (!next || p.atMs < next.openedAtMs))
      .map((p) => ({ atMs: p.atMs, nrs: nrsOf(p), scale: p.scale, score: p.score, reportedBy: p.reportedBy ?? "STAFF" }));
    const preNrs = pre ? nrsOf(pre) : null;
    const durability = preNrs === null ? null : durabilityDays({ sessionEndMs: endMs, baselineNrs: preNrs, followUps });
    const relief = describeRelief(pre, post, lowBaselinePainNrs);
    const plannedDate = plannedDateOf(input.startDate, input.intervalDays, s.sequence);
    const daysFromPlan = plannedDate === null ? null : dayNumber(s.date) - dayNumber(plannedDate);
    const hasRate = dose.firstStartMs !== null;
    const peakRateZone: DoseZone =
      !hasRate ? "NO_BAND"
        : limits.softMaxRateUgPerKgPerH === null && limits.softMinRateUgPerKgPerH === null
          ? classify(dose.peakRateUgPerKgPerH, { hardMax: limits.hardMaxRateUgPerKgPerH })
          : classify(dose.peakRateUgPerKgPerH, { softMin: limits.softMinRateUgPerKgPerH, softMax: limits.softMaxRateUgPerKgPerH, hardMax: limits.hardMaxRateUgPerKgPerH });
    const totalZone: DoseZone = limits.maxCumulativeUgPerKg === null || !hasRate
      ? "NO_BAND"
      : classify(dose.totalUgPerKg, { softMax: limits.maxCumulativeUgPerKg });
    const sideEffects: Record<string, number> = {};
    for (const e of s.sideEffects) sideEffects[e.kind] = Math.max(sideEffects[e.kind] ?? 0, e.severity);
    return {
      sessionId: s.id,
      sequence: s.sequence,
      status: s.status,
      date: s.date,
      atMs: s.openedAtMs,
      plannedDate,
      daysFromPlan,
      isLate: daysFromPlan !== null && daysFromPlan > LATE_GRACE_DAYS,
      daysSincePrevious: previous ? oneDecimal((s.openedAtMs - previous.openedAtMs) / MS_PER_DAY, 1) : null,
      intervalTooShort: s.flags.some((f) => f.code === "SESSION_INTERVAL_TOO_SHORT"),
      pre, post, preNrs,
      postNrs: post ? nrsOf(post) : null,
      reliefPct: relief.reliefPct,
      reliefCountsForResponse: relief.countsForResponse,
      reliefText: relief.text,
      totalUgPerKg: dose.totalUgPerKg,
      totalMgPerKg: dose.totalUgPerKg / 1000,
      peakRateUgPerKgPerH: dose.peakRateUgPerKgPerH,
      peakRateMgPerKgPerH: dose.peakRateUgPerKgPerH / 1000,
      peakRateZone, totalZone,
      maxSideEffectSeverity: s.sideEffects.reduce((m, e) => Math.max(m, e.severity), 0),
      sideEffects,
      openFlags: s.flags.filter((f) => !f.acknowledged).length,
      ackedFlags: s.flags.filter((f) => f.acknowledged).length,
      openHardFlags: s.flags.filter((f) => !f.acknowledged && f.severity === "HARD").length,
      durabilityDays: durability,
      followUps,
    };
  });

  // the responder rule counts one-scale relief from a baseline at or above the threshold only
  const reliefs = rows.map((r) => (r.reliefCountsForResponse ? r.reliefPct : null));
  const excludedLowBaseline = rows.filter((r) => r.reliefPct !== null && !r.reliefCountsForResponse).length;
  const classified = classifyResponse(reliefs);
  const durable = rows.filter((r) => r.durabilityDays !== null);
  const durabilityTenths = durable.reduce((sum, r) => sum + Math.round(r.durabilityDays! * 10), 0);
  const response: ResponseSummary = {
    responder: classified.responder,
    isResponder30: classified.responder === "MEANINGFUL" || classified.responder === "SUBSTANTIAL",
    isResponder50: classified.responder === "SUBSTANTIAL",
    meanReliefPct: classified.meanReliefPct,
    sessionsWithScores: classified.sessionsWithScores,
    sessionsAtOrAbove30: reliefs.filter((r) => r !== null && r >= MEANINGFUL_RELIEF_PCT).length,
    sessionsAtOrAbove50: reliefs.filter((r) => r !== null && r >= SUBSTANTIAL_RELIEF_PCT).length,
    meanDurabilityDays: durable.length ? Number(roundDivBig(BigInt(durabilityTenths), BigInt(durable.length))) / 10 : null,
    sessionsWithDurability: durable.length,
    sessionsReliefOngoing: rows.filter((r) => r.durabilityDays === null && r.followUps.length > 0 && r.preNrs !== null).length,
    sessionsExcludedLowBaseline: excludedLowBaseline,
    responseNote:
      excludedLowBaseline === 0
        ? null
        : `${excludedLowBaseline} session${excludedLowBaseline === 1 ? "" : "s"} with a pre-infusion score below ${lowBaselinePainNrs}/10: relief shown, not counted in the response.`,
  };

  const done = rows.filter((r) => r.status !== "IN_PROGRESS").length;
  const last = sessions.at(-1);
  const nextDueDate = nextSessionDueDate({
    startDate: input.startDate, intervalDays: input.intervalDays, plannedSessions: input.plannedSessions,
    sessionsStarted: sessions.length, lastSessionDate: last?.date ?? null,
  });
  const schedule: ScheduleSummary = {
    plannedSessions: input.plannedSessions,
    sessionsDone: done,
    sessionsInProgress: rows.length - done,
    lateSessions: rows.filter((r) => r.isLate).length,
    intervalTooShortSessions: rows.filter((r) => r.intervalTooShort).length,
    nextDueDate,
  };

  const dosed = rows.filter((r) => r.peakRateZone !== "NO_BAND" || r.totalUgPerKg > 0);
  const totalSum = dosed.reduce((sum, r) => sum + r.totalUgPerKg, 0);
  const outside = (z: DoseZone) => z === "ABOVE_SOFT" || z === "BELOW_SOFT" || z === "AT_OR_ABOVE_HARD";
  const kinds: Record<string, number> = {};
  for (const r of rows) for (const [k, v] of Object.entries(r.sideEffects)) kinds[k] = Math.max(kinds[k] ?? 0, v);
  return {
    rows,
    response,
    schedule,
    dose: {
      meanTotalMgPerKg: dosed.length ? Number(roundDivBig(BigInt(totalSum), BigInt(dosed.length))) / 1000 : null,
      maxPeakRateMgPerKgPerH: dosed.length ? Math.max(...dosed.map((r) => r.peakRateUgPerKgPerH)) / 1000 : null,
      sessionsOutsideBand: rows.filter((r) => outside(r.peakRateZone) || outside(r.totalZone)).length,
    },
    sideEffectBurden: {
      sessionsWithSideEffects: rows.filter((r) => r.maxSideEffectSeverity > 0).length,
      maxSeverity: rows.reduce((m, r) => Math.max(m, r.maxSideEffectSeverity), 0),
      kinds,
    },
    flags: {
      open: rows.reduce((n, r) => n + r.openFlags, 0),
      acknowledged: rows.reduce((n, r) => n + r.ackedFlags, 0),
      openHard: rows.reduce((n, r) => n + r.openHardFlags, 0),
    },
  };
}

export interface SeriesComparison {
  meanReliefPctDelta: number | null;
  meanTotalMgPerKgDelta: number | null;
  sessionsDoneDelta: number;
  maxSideEffectSeverityDelta: number;
  meanDurabilityDaysDelta: number | null;
}

/** This series minus the previous one (positive relief delta = more relief now). */
export function compareSeries(current: SeriesSummary, previous: SeriesSummary): SeriesComparison {
  const diff = (a: number | null, b: number | null, decimals: number) =>
    a === null || b === null ? null : Math.round((a - b) * 10 ** decimals) / 10 ** decimals;
  return {
    meanReliefPctDelta: diff(current.response.meanReliefPct, previous.response.meanReliefPct, 1),
    meanTotalMgPerKgDelta: diff(current.dose.meanTotalMgPerKg, previous.dose.meanTotalMgPerKg, 3),
    sessionsDoneDelta: current.schedule.sessionsDone - previous.schedule.sessionsDone,
    maxSideEffectSeverityDelta: current.sideEffectBurden.maxSeverity - previous.sideEffectBurden.maxSeverity,
    meanDurabilityDaysDelta: diff(current.response.meanDurabilityDays, previous.response.meanDurabilityDays, 1),
  };
}

export interface PainChartPoint {
  t: number;
  /** 0-10 grid */
  nrs: number;
  kind: "PRE" | "POST" | "FOLLOW_UP";
  sessionSequence: number;
  /** a follow-up the patient reported on a check-in (decision 0020), drawn apart from staff ones */
  patientReported?: boolean;
}

/**
 * The pain-across-weeks points (pre, post, follow-up per session), at most `maxPoints`:
 * pre and post scores are always kept (they carry the relief), follow-ups are thinned
 * keeping each bucket's highest and lowest so a return to baseline stays visible.
 */
export function painChartPoints(
  rows: (Pick<SessionSummaryRow, "atMs" | "preNrs" | "postNrs" | "sequence"> & { followUps: (Pick<SessionSummaryRow["followUps"][number], "atMs" | "nrs"> & { reportedBy?: "STAFF" | "PATIENT" })[] })[],
  maxPoints = MAX_CHART_POINTS,
): PainChartPoint[] {
  const points: PainChartPoint[] = [];
  for (const r of rows) {
    if (r.preNrs !== null) points.push({ t: r.atMs, nrs: r.preNrs, kind: "PRE", sessionSequence: r.sequence });
    if (r.postNrs !== null) points.push({ t: r.atMs + 1, nrs: r.postNrs, kind: "POST", sessionSequence: r.sequence });
    for (const f of r.followUps)
      points.push({ t: f.atMs, nrs: f.nrs, kind: "FOLLOW_UP", sessionSequence: r.sequence, ...(f.reportedBy === "PATIENT" ? { patientReported: true } : {}) });
  }
  return downsampleSeries(points, maxPoints, (p) => p.kind !== "FOLLOW_UP", (p) => p.nrs);
}

/**
 * Per-session rows for a chart, at most `maxPoints`: sessions whose dose is outside the
 * band, with open flags or with severe side effects are always kept; the rest are thinned
 * keeping each bucket's peak (by `valueOf`).
 */
type ChartRowFields = Pick<SessionSummaryRow, "atMs" | "peakRateZone" | "totalZone" | "openFlags" | "maxSideEffectSeverity">;
export function chartRows<R extends ChartRowFields>(rows: R[], valueOf: (r: R) => number, maxPoints = MAX_CHART_POINTS): (R & { t: number })[] {
  const withT = rows.map((r) => ({ ...r, t: r.atMs }));
  const keep = (r: R) =>
    r.peakRateZone === "ABOVE_SOFT" || r.peakRateZone === "BELOW_SOFT" || r.peakRateZone === "AT_OR_ABOVE_HARD" ||
    r.totalZone === "ABOVE_SOFT" || r.openFlags > 0 || r.maxSideEffectSeverity >= 3;
  return downsampleSeries(withT, maxPoints, keep, valueOf);
}
