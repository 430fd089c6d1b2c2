// The flags of a session as a pure function of (protocol version, session facts, the
// effective timeline, now), and their reconciliation with the stored flags
// (docs/decisions/0009-flags-over-the-timeline.md). Every rule walks the timeline in clinical
// time order (ties: the time it was charted, then id), so the order in which entries were
// charted, back-timed or corrected never changes a flag. The browser (live badges), the
// server (every write) and the scheduler (VITALS_OVERDUE) run this same function.

import { applyEvent, INITIAL_INFUSION_STATE, integrateDose, type DoseEventPoint, type DoseIntegration, type ReplayState } from "./dose";
import {
  bolusFlags,
  bpRiseFlag,
  cumulativeFlags,
  draft,
  durationRangeText,
  evaluateSessionSchedule,
  evaluateSideEffect,
  evaluateVitals,
  formatDurationMs,
  perKgAmountText,
  perKgLimitText,
  rateFlags,
  titrationStepFlag,
  type FlagDraft,
  type FlagSeverity,
  type VitalsReading,
} from "./flags";
import { checkConcentration, checkWeight, pumpRounding } from "./guards";
import { safetySettingsOf, type ProtocolLimits, type ProtocolRoute } from "./protocol";
import { formatKg, formatMgPerKgPerH, formatMgPerMl, MS_PER_MINUTE } from "./units";
import { byClinicalTime, vitalsSchedule, type VitalsSchedule } from "./vitals-schedule";

/** What a flag is shown beside: the row that raised it, or the session itself. */
export type FlagSourceType = "DoseEvent" | "VitalSigns" | "PainScore" | "SideEffect" | "InfusionSession";

/** A charted row in force: its clinical time and when it was charted (epoch ms). */
export interface TimelineRow {
  id: string;
  atMs: number;
  enteredAtMs: number;
}

export type TimelineDoseEvent = DoseEventPoint & TimelineRow;
export type TimelineVitals = VitalsReading & TimelineRow;
export type TimelineSideEffect = TimelineRow & { kind: string; severity: number };
export type TimelinePain = TimelineRow & { score: number; scale: "NRS" | "VAS"; phase: string };

/** The effective timeline: rows in force (charting.ts effectiveRows), in any order. */
export interface SessionTimeline {
  doseEvents: readonly TimelineDoseEvent[];
  vitals: readonly TimelineVitals[];
  sideEffects: readonly TimelineSideEffect[];
  /** carried for completeness; no flag is raised from pain today */
  pain?: readonly TimelinePain[];
}

export type SessionStatusValue = "IN_PROGRESS" | "COMPLETED" | "SIGNED";

export interface SessionFacts {
  sessionId: string;
  /** the weight recorded for this session, g */
  weightG: number;
  concentrationUgPerMl: number;
  route: ProtocolRoute;
  openedAtMs: number;
  status: SessionStatusValue;
  completedAtMs: number | null;
  /** the patient's weight recorded before this session, g; null at a first weighing */
  previousWeightG: number | null;
  /** opening times of the series' earlier sessions, epoch ms */
  priorSessionStartsMs: readonly number[];
  plannedSessions: number;
}

/** One flag condition: at most one stored flag matches it, by key. */
export interface FlagCondition extends FlagDraft {
  /** stable identity: code + what raised it, e.g. "TITRATION_STEP_TOO_LARGE:<doseEventId>" */
  key: string;
  source: { type: FlagSourceType; id: string };
  /** clinical time the condition belongs to, epoch ms (ordering and display) */
  atMs: number;
}

export interface SessionEvaluation {
  /** every condition that holds, ordered by atMs then key; keys are unique */
  conditions: FlagCondition[];
  /** the dose integrated up to now (in progress) or to completion */
  dose: DoseIntegration;
  vitals: VitalsSchedule;
}

/** Key of a condition that belongs to the session as a whole (one per session). */
export const SESSION_KEY_SUFFIX = "session";

/**
 * All flag conditions of a session. Rules (defaults in decision 0009):
 * - per START/RATE_CHANGE: documented range (START against the start range), protocol hard
 *   limit, anaesthetic edge (IV only); TITRATION_STEP_TOO_LARGE for an increase over the
 *   previous rate IN TIME; PUMP_RATE_ROUNDING (IV) when the pump's step moves the dose > 5%;
 * - per BOLUS: single-dose limits, then the boluses of the rolling window (a bolus exactly one
 *   window earlier is outside) against the same limits: BOLUS_WINDOW_*;
 * - session: CUMULATIVE_DOSE_ABOVE_RANGE (per kg and fixed mg, each one key), DURATION_OUT_OF_RANGE
 *   (too long is known while running), SESSION_INTERVAL_TOO_SHORT (one key for both schedule
 *   rules), SERIES_OVER_PLAN, CONCENTRATION_* (IV), WEIGHT_CHANGE_LARGE;
 * - vitals: thresholds per set; BP rise against the baseline = the newest set at or before
 *   START (a set at START's own minute precedes any effect); none: BASELINE_VITALS_MISSING
 *   at START; VITALS_OVERDUE per overdue gap of vitalsSchedule, keyed by the gap's start;
 * - side effects: SEVERE_SIDE_EFFECT per row.
 * Dose events the infusion state machine refuses are skipped, as integrateDose does.
 */
export function evaluateSessionFlags(input: {
  limits: ProtocolLimits;
  session: SessionFacts;
  timeline: SessionTimeline;
  nowMs: number;
}): SessionEvaluation {
  const { limits, session, timeline, nowMs } = input;
  if (!Number.isSafeInteger(session.weightG) || session.weightG <= 0) {
    throw new RangeError(`weightG must be a positive integer, got ${String(session.weightG)}`);
  }
  const settings = safetySettingsOf(limits);
  const conditions: FlagCondition[] = [];
  const add = (d: FlagDraft, key: string, source: FlagCondition["source"], atMs: number) => {
    conditions.push({ ...d, key: `${d.code}:${key}`, source, atMs });
  };
  const sessionSource: FlagCondition["source"] = { type: "InfusionSession", id: session.sessionId };

  // ---- dose events, in clinical time order
  const doseEvents = [...timeline.doseEvents].sort(byClinicalTime);
  let infusion: ReplayState = INITIAL_INFUSION_STATE;
  const boluses: { atMs: number; ug: number }[] = [];
  const windowMs = settings.bolusWindowMin * MS_PER_MINUTE;
  let startEvent: TimelineDoseEvent | null = null;
  let stopEvent: TimelineDoseEvent | null = null;
  for (const event of doseEvents) {
    const step = applyEvent(infusion, event);
    if (step.next === null) continue;
    const previous = infusion;
    infusion = step.next;
    const source = { type: "DoseEvent", id: event.id } as const;
    if (event.type === "START") startEvent = event;
    if (event.type === "STOP") stopEvent = event;
    const rate = event.rateUgPerKgPerH;
    if ((event.type === "START" || event.type === "RATE_CHANGE") && typeof rate === "number") {
      for (const d of rateFlags(limits, event, rate, session.route)) add(d, event.id, source, event.atMs);
      if (event.type === "RATE_CHANGE") {
        const stepFlag = titrationStepFlag(limits, previous.rateUgPerKgPerH, rate);
        if (stepFlag) add(stepFlag, event.id, source, event.atMs);
      }
      if (session.route === "IV") {
        const pump = pumpRounding({ rateUgPerKgPerH: rate, weightG: session.weightG, concentrationUgPerMl: session.concentrationUgPerMl, settings });
        if (pump.message !== null) {
          add(
            draft("PUMP_RATE_ROUNDING", `${pump.pumpMlPerHText} mL/h delivers ${formatMgPerKgPerH(pump.deliveredUgPerKgPerH)} mg/kg/h (ordered ${rateText(rate)})`, `within ${settings.pumpRoundingTolerancePct}% of the ordered rate`, pump.message),
            event.id, source, event.atMs,
          );
        }
      }
    }
    if (event.type === "BOLUS" && typeof event.bolusUg === "number") {
      const single = bolusFlags(limits, session.weightG, event.bolusUg, session.route);
      for (const d of single) add(d, event.id, source, event.atMs);
      boluses.push({ atMs: event.atMs, ug: event.bolusUg });
      const inWindow = boluses.filter((b) => b.atMs > event.atMs - windowMs);
      if (inWindow.length >= 2) {
        const windowDraft = bolusWindowFlag(limits, session.weightG, inWindow, settings.bolusWindowMin, single);
        if (windowDraft) add(windowDraft, event.id, source, event.atMs);
      }
    }
  }

  // ---- session-level dose conditions
  const untilMs = session.status === "IN_PROGRESS" ? nowMs : (session.completedAtMs ?? nowMs);
  const dose = integrateDose(doseEvents, session.weightG, untilMs);
  const sessionAtMs = dose.firstStartMs ?? session.openedAtMs;
  // the per-kg and the fixed-mg ceiling are two conditions, each with its own key
  const when = session.status === "IN_PROGRESS" ? "so far" : "at completion";
  for (const d of cumulativeFlags({ ...limits, maxCumulativeUg: null }, session.weightG, dose, when)) add(d, SESSION_KEY_SUFFIX, sessionSource, sessionAtMs);
  for (const d of cumulativeFlags({ ...limits, maxCumulativeUgPerKg: null }, session.weightG, dose, when)) add(d, `${SESSION_KEY_SUFFIX}-mg`, sessionSource, sessionAtMs);
  const duration = durationDraft(limits, dose, session, nowMs);
  if (duration) add(duration, SESSION_KEY_SUFFIX, stopEvent ? { type: "DoseEvent", id: stopEvent.id } : sessionSource, stopEvent?.atMs ?? sessionAtMs);

  // ---- schedule, weight, concentration: facts of the session
  const schedule = evaluateSessionSchedule({
    limits,
    plannedSessions: session.plannedSessions,
    priorSessionStartsMs: [...session.priorSessionStartsMs],
    newStartMs: session.openedAtMs,
  });
  const intervalDrafts = schedule.filter((d) => d.code === "SESSION_INTERVAL_TOO_SHORT");
  if (intervalDrafts.length > 0) add(mergeDrafts(intervalDrafts), SESSION_KEY_SUFFIX, sessionSource, session.openedAtMs);
  for (const d of schedule.filter((x) => x.code !== "SESSION_INTERVAL_TOO_SHORT")) add(d, SESSION_KEY_SUFFIX, sessionSource, session.openedAtMs);

  const weight = checkWeight({ weightG: session.weightG, previousWeightG: session.previousWeightG, settings });
  if (weight.status === "LARGE_CHANGE" || weight.status === "LOOKS_LIKE_POUNDS") {
    add(
      draft("WEIGHT_CHANGE_LARGE", `${formatKgText(session.weightG)} (last ${formatKgText(session.previousWeightG ?? 0)})`, `within ${settings.weightChangeConfirmPct}% of the last weight`, weight.message),
      SESSION_KEY_SUFFIX, sessionSource, session.openedAtMs,
    );
  }
  if (session.route === "IV") {
    const concentration = checkConcentration({ concentrationUgPerMl: session.concentrationUgPerMl, settings });
    if (concentration.status !== "STANDARD") {
      const code = concentration.status === "STOCK_VIAL" ? "CONCENTRATION_STOCK_VIAL" : "CONCENTRATION_NOT_STANDARD";
      add(draft(code, concentrationText(session.concentrationUgPerMl), standardText(settings.standardConcentrationsUgPerMl), concentration.message), SESSION_KEY_SUFFIX, sessionSource, session.openedAtMs);
    }
  }

  // ---- vitals
  const vitals = [...timeline.vitals].sort(byClinicalTime);
  const startMs = startEvent?.atMs ?? null;
  const baseline = startMs === null ? null : (vitals.filter((v) => v.atMs <= startMs).at(-1) ?? null);
  if (startEvent !== null && baseline === null) {
    add(
      draft("BASELINE_VITALS_MISSING", "no vitals set at or before the start", "a vitals set before START", "No vitals were charted before the infusion started, so blood pressure rises cannot be measured from a baseline. Chart the pre-infusion set (back-timed) if it was taken."),
      startEvent.id, { type: "DoseEvent", id: startEvent.id }, startEvent.atMs,
    );
  }
  for (const v of vitals) {
    const source = { type: "VitalSigns", id: v.id } as const;
    for (const d of evaluateVitals({ limits, vitals: v, baseline: null })) add(d, v.id, source, v.atMs);
    if (baseline !== null && startMs !== null && v.atMs > startMs) {
      const rise = bpRiseFlag(limits, v, baseline);
      if (rise) add(rise, v.id, source, v.atMs);
    }
  }
  const schedule15 = vitalsSchedule({
    limits: { vitalsIntervalMin: limits.vitalsIntervalMin, vitalsAfterIncreaseMin: settings.vitalsAfterIncreaseMin },
    doseEvents,
    vitals,
    completedAtMs: session.status === "IN_PROGRESS" ? null : session.completedAtMs,
    nowMs,
  });
  for (const gap of schedule15.overdueGaps) {
    const endMs = gap.closedAtMs ?? nowMs;
    const since = gap.openedBy === "START" ? "the start" : gap.openedBy === "RATE_INCREASE" ? "the rate increase" : "the previous set";
    const allowedMin = gap.openedBy === "RATE_INCREASE" ? settings.vitalsAfterIncreaseMin : limits.vitalsIntervalMin;
    const until = gap.closedBy === "STOP" ? " until the stop" : gap.closedBy === "COMPLETION" ? " until completion" : gap.closedAtMs === null ? " so far" : "";
    add(
      draft(
        "VITALS_OVERDUE",
        `${formatDurationMs(endMs - gap.fromMs)} without vitals since ${since}${until}`,
        `≤ ${allowedMin} min`,
        gap.closedAtMs === null
          ? `Vitals are overdue: none since ${since} ${formatDurationMs(endMs - gap.fromMs)} ago; they were due ${allowedMin} min after it. Take a set now.`
          : `Vitals were not taken for ${formatDurationMs(endMs - gap.fromMs)} after ${since}${until}; they were due within ${allowedMin} min.`,
      ),
      String(gap.fromMs),
      { type: gap.openedBy === "VITALS" ? "VitalSigns" : "DoseEvent", id: gap.sourceId },
      gap.fromMs,
    );
  }

  // ---- side effects
  for (const e of [...timeline.sideEffects].sort(byClinicalTime)) {
    for (const d of evaluateSideEffect({ kind: e.kind, severity: e.severity })) add(d, e.id, { type: "SideEffect", id: e.id }, e.atMs);
  }

  conditions.sort((a, b) => a.atMs - b.atMs || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { conditions, dose, vitals: schedule15 };
}

const rateText = (ugPerKgPerH: number) => `${formatMgPerKgPerH(ugPerKgPerH)} mg/kg/h`;
const formatKgText = (weightG: number) => `${formatKg(weightG)} kg`;
const concentrationText = (ugPerMl: number) => `${formatMgPerMl(ugPerMl)} mg/mL`;
const standardText = (standard: readonly number[]) => `one of ${standard.map((c) => concentrationText(c)).join(", ")}`;

/** Two schedule findings about one session are one condition: one flag, both reasons. */
function mergeDrafts(drafts: FlagDraft[]): FlagDraft {
  const first = drafts[0]!;
  if (drafts.length === 1) return first;
  return {
    ...first,
    valueText: drafts.map((d) => d.valueText).join("; "),
    limitText: drafts.map((d) => d.limitText).join("; "),
    message: drafts.map((d) => d.message).join(" "),
  };
}

/**
 * Boluses within one rolling window, summed, against the bolus limits (docs/clinical-brief.md
 * "Safety guards in the style of smart-pump drug libraries [defaults unless marked]": pumps limit the dose over a window as
 * well as each bolus). Raised on the
 * bolus that brings the sum over; not when the bolus alone already raised the same level.
 * Cross-multiplied: sumUg × 1000 vs limitUgPerKg × weightG.
 */
function bolusWindowFlag(
  limits: ProtocolLimits,
  weightG: number,
  inWindow: { ug: number }[],
  windowMin: number,
  single: FlagDraft[],
): FlagDraft | null {
  const sumUg = inWindow.reduce((sum, b) => sum + b.ug, 0);
  const scaled = BigInt(sumUg) * 1000n;
  const singleHard = single.some((d) => d.severity === "HARD");
  const valueText = `${inWindow.length} boluses in ${windowMin} min: ${perKgAmountText(sumUg, weightG)}`;
  if (scaled >= BigInt(limits.hardMaxBolusUgPerKg) * BigInt(weightG)) {
    if (singleHard) return null;
    return draft(
      "BOLUS_WINDOW_ABOVE_HARD_LIMIT",
      valueText,
      perKgLimitText("<", limits.hardMaxBolusUgPerKg, weightG),
      `The boluses given within ${windowMin} min add up to ${perKgAmountText(sumUg, weightG)}, at or above the hard limit of ${perKgLimitText("", limits.hardMaxBolusUgPerKg, weightG).trim()}. A physician's override is needed.`,
    );
  }
  const softMax = limits.softMaxBolusUgPerKg;
  if (softMax !== null && scaled > BigInt(softMax) * BigInt(weightG) && single.length === 0) {
    return draft(
      "BOLUS_WINDOW_ABOVE_RANGE",
      valueText,
      perKgLimitText("≤", softMax, weightG),
      `The boluses given within ${windowMin} min add up to ${perKgAmountText(sumUg, weightG)}, above the documented ${perKgLimitText("", softMax, weightG).trim()}. Give a reason.`,
    );
  }
  return null;
}

/**
 * DURATION_OUT_OF_RANGE from the first START to the STOP, or to completion; while running,
 * "longer than documented" is already known once now passes the maximum (exactly at either
 * bound is in range).
 */
function durationDraft(limits: ProtocolLimits, dose: DoseIntegration, session: SessionFacts, nowMs: number): FlagDraft | null {
  if (dose.firstStartMs === null) return null;
  const endMs = dose.stopMs ?? (session.status === "IN_PROGRESS" ? null : session.completedAtMs);
  const rangeText = durationRangeText(limits);
  const durationMs = (endMs ?? nowMs) - dose.firstStartMs;
  if (endMs !== null && limits.minDurationMin !== null && durationMs < limits.minDurationMin * MS_PER_MINUTE) {
    return draft("DURATION_OUT_OF_RANGE", formatDurationMs(durationMs), rangeText, `The infusion ran ${formatDurationMs(durationMs)}, shorter than the documented ${rangeText}. Give a reason.`);
  }
  if (limits.maxDurationMin !== null && durationMs > limits.maxDurationMin * MS_PER_MINUTE) {
    const verb = endMs === null ? "has run" : "ran";
    return draft("DURATION_OUT_OF_RANGE", formatDurationMs(durationMs), rangeText, `The infusion ${verb} ${formatDurationMs(durationMs)}, longer than the documented ${rangeText}. Give a reason.`);
  }
  return null;
}

// ---------------------------------------------------------------- reconciliation

/** An entry about to be charted (or a correction replacing `correctsId`), as the engine sees it. */
export type CandidateEntry =
  | { type: "DoseEvent"; row: TimelineDoseEvent; correctsId?: string | null }
  | { type: "VitalSigns"; row: TimelineVitals; correctsId?: string | null }
  | { type: "SideEffect"; row: TimelineSideEffect; correctsId?: string | null };

/** The timeline with the candidate in force (and the row it corrects, if any, out of it). */
export function withCandidate(timeline: SessionTimeline, c: CandidateEntry): SessionTimeline {
  const drop = <T extends { id: string }>(rows: readonly T[]) => rows.filter((r) => r.id !== c.correctsId);
  switch (c.type) {
    case "DoseEvent": return { ...timeline, doseEvents: [...drop(timeline.doseEvents), c.row] };
    case "VitalSigns": return { ...timeline, vitals: [...drop(timeline.vitals), c.row] };
    case "SideEffect": return { ...timeline, sideEffects: [...drop(timeline.sideEffects), c.row] };
  }
}

/**
 * The conditions charting `candidate` would newly raise: present with it, absent without it,
 * and not already a live flag (`liveKeys`). The server holds the HARD ones to the override
 * rule before storing (decision 0009); the bedside form shows all of them as the nurse types,
 * so the live badge and the stored flags come from one function and cannot disagree.
 */
export function conditionsRaisedBy(input: {
  limits: ProtocolLimits;
  session: SessionFacts;
  timeline: SessionTimeline;
  candidate: CandidateEntry;
  liveKeys: ReadonlySet<string>;
  nowMs: number;
}): FlagCondition[] {
  const { limits, session, timeline, candidate, liveKeys, nowMs } = input;
  const before = new Set(evaluateSessionFlags({ limits, session, timeline, nowMs }).conditions.map((c) => c.key));
  return evaluateSessionFlags({ limits, session, timeline: withCandidate(timeline, candidate), nowMs }).conditions.filter(
    (c) => !before.has(c.key) && !liveKeys.has(c.key),
  );
}

export type StoredFlagStatus = "OPEN" | "ACKNOWLEDGED" | "RESOLVED";

export interface StoredFlag {
  id: string;
  /** the condition key it was raised for */
  key: string;
  status: StoredFlagStatus;
  severity: FlagSeverity;
  raisedAtMs: number;
  sourceType: string | null;
  sourceId: string | null;
}

/** A charted row of any kind, as stored (corrections and retractions included). */
export interface ChartedRow {
  id: string;
  correctsId: string | null;
  isRetraction: boolean;
  atMs: number;
  enteredAtMs: number;
}

export type ResolutionCause = "CORRECTED" | "RETRACTED" | "REORDERED" | "NO_LONGER_HOLDS" | "DUPLICATE";

/** What resolved a flag, in the words a physician reads on the flags panel. */
export const RESOLUTION_TEXT: Record<ResolutionCause, string> = {
  CORRECTED: "corrected",
  RETRACTED: "retracted (entered in error)",
  REORDERED: "re-ordered by a back-timed entry",
  NO_LONGER_HOLDS: "condition no longer holds",
  DUPLICATE: "duplicate of an open flag for the same condition",
};

export interface FlagResolution {
  flag: StoredFlag;
  cause: ResolutionCause;
  resolutionText: string;
}

export interface Reconciliation {
  /** conditions with no OPEN or ACKNOWLEDGED flag: store one flag each */
  toRaise: FlagCondition[];
  /** OPEN or ACKNOWLEDGED flags whose condition is gone: mark RESOLVED with the cause; never delete */
  toResolve: FlagResolution[];
  /** flags left as they are (acknowledgement kept); `condition` is the current one, for refreshing texts */
  unchanged: { flag: StoredFlag; condition: FlagCondition | null }[];
}

/**
 * Matches stored flags to the current conditions by key (decision 0009):
 * - a condition with an OPEN or ACKNOWLEDGED flag of its key: unchanged (the
 *   acknowledgement stays; a later change of value text does not re-open it);
 * - a condition without one: raised, even when a RESOLVED flag of that key exists (a
 *   condition that comes back is a new event and needs a new acknowledgement);
 * - an OPEN or ACKNOWLEDGED flag without a condition: resolved, with its cause;
 * - RESOLVED flags: unchanged, never deleted.
 * Two live flags of one key (rows stored before keys existed) keep the oldest; the others
 * are resolved as duplicates. So after applying the result, each condition has exactly one
 * live flag and each live flag one condition.
 * `chartedRows`: every row of the session as stored (all kinds, corrections and retractions
 * included), to tell the cause: the source row corrected or retracted; else the newest row
 * charted after the flag: a correction/retraction, or a back-timed entry (clinical time
 * before the flag was raised); else "condition no longer holds".
 */
export function reconcileFlags(input: {
  stored: readonly StoredFlag[];
  conditions: readonly FlagCondition[];
  chartedRows?: readonly ChartedRow[];
}): Reconciliation {
  const byKey = new Map(input.conditions.map((c) => [c.key, c] as const));
  const live = [...input.stored].filter((f) => f.status !== "RESOLVED").sort((a, b) => a.raisedAtMs - b.raisedAtMs || (a.id < b.id ? -1 : 1));
  const liveKeys = new Set<string>();
  const toResolve: FlagResolution[] = [];
  const unchanged: Reconciliation["unchanged"] = [];
  for (const flag of live) {
    const condition = byKey.get(flag.key);
    if (liveKeys.has(flag.key)) {
      toResolve.push({ flag, cause: "DUPLICATE", resolutionText: RESOLUTION_TEXT.DUPLICATE });
    } else if (condition) {
      liveKeys.add(flag.key);
      unchanged.push({ flag, condition });
    } else {
      const cause = resolutionCause(flag, input.chartedRows ?? []);
      toResolve.push({ flag, cause, resolutionText: RESOLUTION_TEXT[cause] });
    }
  }
  for (const flag of input.stored) if (flag.status === "RESOLVED") unchanged.push({ flag, condition: null });
  const toRaise = input.conditions.filter((c) => !liveKeys.has(c.key));
  return { toRaise, toResolve, unchanged };
}

function resolutionCause(flag: StoredFlag, rows: readonly ChartedRow[]): ResolutionCause {
  if (flag.sourceId !== null) {
    const replacing = rows.filter((r) => r.correctsId === flag.sourceId).sort((a, b) => b.enteredAtMs - a.enteredAtMs)[0];
    if (replacing) return replacing.isRetraction ? "RETRACTED" : "CORRECTED";
  }
  const later = rows.filter((r) => r.enteredAtMs > flag.raisedAtMs).sort((a, b) => b.enteredAtMs - a.enteredAtMs || (a.id < b.id ? 1 : -1));
  const newest = later[0];
  if (newest?.correctsId) return newest.isRetraction ? "RETRACTED" : "CORRECTED";
  if (later.some((r) => r.atMs < flag.raisedAtMs)) return "REORDERED";
  return "NO_LONGER_HOLDS";
}

/** A session may be signed when every HARD flag is acknowledged or resolved. */
export function canSign(flags: readonly { severity: FlagSeverity; status: StoredFlagStatus }[]): boolean {
  return flags.every((f) => f.severity !== "HARD" || f.status !== "OPEN");
}
