// Pain scores and response (docs/clinical-brief.md "What is monitored"): NRS 0-10, or VAS 0-100 mm kept
// with its scale. Relief >= 30% from baseline is clinically meaningful, >= 50% substantial
// [default: docs/clinical-brief.md, not from the source documents].

import { MS_PER_DAY, roundDivBig } from "./units";

export type PainScale = "NRS" | "VAS";

export const PAIN_BOUNDS = {
  NRS: { min: 0, max: 10 },
  VAS: { min: 0, max: 100 },
} as const satisfies Record<PainScale, { min: number; max: number }>;

/** [default] relief percentages (docs/clinical-brief.md). */
export const MEANINGFUL_RELIEF_PCT = 30;
export const SUBSTANTIAL_RELIEF_PCT = 50;

export interface PainReading {
  score: number;
  scale: PainScale;
}

/**
 * The session's pre and post scores, one definition for the review and the exports:
 * pre = the last PRE score (the one closest to the infusion), post = the first POST score
 * (the one right after it). At the same time the later-entered PRE and the earlier-entered
 * POST win (input order, which callers give as entry order). `scores` are rows in force.
 * One pass, no copies: an export runs this for every session.
 */
export function sessionPrePost<T extends { atMs: number; phase: string }>(scores: readonly T[]): { pre: T | null; post: T | null } {
  let pre: T | null = null;
  let post: T | null = null;
  for (const p of scores) {
    if (p.phase === "PRE" && (pre === null || p.atMs >= pre.atMs)) pre = p;
    else if (p.phase === "POST" && (post === null || p.atMs < post.atMs)) post = p;
  }
  return { pre, post };
}

/** A score on the 0-100 VAS grid (NRS × 10), so NRS and VAS compare by ratio in integers. */
function toVasUnits(reading: PainReading): number {
  return reading.scale === "VAS" ? reading.score : reading.score * 10;
}

/**
 * Percent reduction from `pre` to `post`, one decimal, half away from zero; negative when
 * pain rose. Only between scores of ONE scale (NRS with NRS, VAS with VAS): NRS and VAS are
 * different instruments, so a mixed pair gives null here, never a silent conversion
 * (docs/clinical-brief.md "What is monitored": keep the scale with the score); describeRelief
 * shows a converted value, labelled as converted. Null when either score is missing or pre
 * is 0 (no relief can be measured from no pain).
 */
export function reliefPct(pre: PainReading | null | undefined, post: PainReading | null | undefined): number | null {
  if (!pre || !post || pre.scale !== post.scale) return null;
  return ratioReliefPct(pre, post);
}

/** (pre − post) / pre on the 0-100 grid, tenths of a percent, rounded once. */
function ratioReliefPct(pre: PainReading, post: PainReading): number | null {
  if (!Number.isFinite(pre.score) || !Number.isFinite(post.score)) return null;
  const preUnits = toVasUnits(pre);
  const postUnits = toVasUnits(post);
  if (preUnits === 0) return null;
  // tenths of a percent: (pre - post) × 1000 / pre
  const tenths = roundDivBig(BigInt(Math.round((preUnits - postUnits) * 1000)), BigInt(Math.round(preUnits)));
  const result = Number(tenths) / 10;
  return result === 0 ? 0 : result;
}

/** "NRS 8", "VAS 40 mm". */
export function painText(reading: PainReading): string {
  return reading.scale === "VAS" ? `VAS ${reading.score} mm` : `NRS ${reading.score}`;
}

export interface ReliefDescription {
  /** relief between scores of one scale; null for a mixed pair */
  reliefPct: number | null;
  /** a mixed pair: relief computed by converting VAS mm ÷ 10 to the 0-10 grid; null otherwise */
  convertedReliefPct: number | null;
  /** pre below the low-baseline threshold: relief shown, left out of the responder rule */
  isLowBaseline: boolean;
  /** counts toward the responder rule: one scale, a measurable and not-low baseline */
  countsForResponse: boolean;
  /** what the physician reads, e.g. "NRS 8 → NRS 4: 50% relief" */
  text: string;
}

/**
 * Relief for display and for the responder rule. One scale: the relief. Mixed scales:
 * shown converted and SAID so ("converted"), never counted. A pre score below
 * `lowBaselineNrs` on the 0-10 grid (VAS: below lowBaselineNrs × 10 mm) is shown but left out
 * of the responder rule (a fall from 1 to 0 is 100% "relief" of almost no pain), and the
 * text says so.
 */
export function describeRelief(
  pre: PainReading | null | undefined,
  post: PainReading | null | undefined,
  lowBaselineNrs: number,
): ReliefDescription {
  if (!pre || !post) {
    return { reliefPct: null, convertedReliefPct: null, isLowBaseline: false, countsForResponse: false, text: "no pre and post scores" };
  }
  const isLowBaseline = toVasUnits(pre) < lowBaselineNrs * 10;
  const pair = `${painText(pre)} → ${painText(post)}`;
  const lowNote = isLowBaseline ? `; baseline below ${lowBaselineNrs}/10, not counted as a response` : "";
  if (pre.scale !== post.scale) {
    const converted = ratioReliefPct(pre, post);
    return {
      reliefPct: null,
      convertedReliefPct: converted,
      isLowBaseline,
      countsForResponse: false,
      text: `${pair}: different scales; ${converted === null ? "no relief measurable" : `${converted}% relief converted (VAS mm ÷ 10 = NRS)`}, not counted as a response${lowNote}`,
    };
  }
  const relief = ratioReliefPct(pre, post);
  return {
    reliefPct: relief,
    convertedReliefPct: null,
    isLowBaseline,
    countsForResponse: relief !== null && !isLowBaseline,
    text: `${pair}: ${relief === null ? "no relief measurable from a pre score of 0" : `${relief}% relief`}${lowNote}`,
  };
}

export type ResponderClass = "SUBSTANTIAL" | "MEANINGFUL" | "NON_RESPONDER" | "INSUFFICIENT_DATA";

/**
 * Series response from per-session relief percentages (nulls skipped), by the mean relief:
 * >= 50% SUBSTANTIAL, >= 30% MEANINGFUL, else NON_RESPONDER; no scores: INSUFFICIENT_DATA.
 * The comparison is exact on tenths of a percent (Σ tenths >= 500 × n); the reported mean
 * is rounded to one decimal.
 */
export function classifyResponse(reliefPcts: (number | null)[]): {
  responder: ResponderClass;
  meanReliefPct: number | null;
  sessionsWithScores: number;
} {
  const tenths = reliefPcts
    .filter((value): value is number => value !== null && Number.isFinite(value))
    .map((value) => Math.round(value * 10));
  const count = tenths.length;
  if (count === 0) return { responder: "INSUFFICIENT_DATA", meanReliefPct: null, sessionsWithScores: 0 };
  const sumTenths = tenths.reduce((sum, value) => sum + value, 0);
  const meanTenths = Number(roundDivBig(BigInt(sumTenths), BigInt(count)));
  const responder: ResponderClass =
    sumTenths >= SUBSTANTIAL_RELIEF_PCT * 10 * count
      ? "SUBSTANTIAL"
      : sumTenths >= MEANINGFUL_RELIEF_PCT * 10 * count
        ? "MEANINGFUL"
        : "NON_RESPONDER";
  return { responder, meanReliefPct: meanTenths / 10, sessionsWithScores: count };
}

/**
 * Days (one decimal) from the session end until relief fell below the meaningful 30%
 * [default] at follow-up: the first follow-up whose score is above 70% of the baseline, in
 * tenths on the 0-10 grid: (100 − 30) × baselineTenths < 100 × scoreTenths (exactly 30%
 * relief still counts as relief). Follow-ups before the session end are ignored. Null when
 * no follow-up has fallen below 30% yet (relief ongoing, or not recorded) or the baseline
 * is 0. Relief that fades below 30% without reaching baseline is therefore over, not "ongoing".
 */
export function durabilityDays(input: {
  sessionEndMs: number;
  baselineNrs: number;
  followUps: { atMs: number; nrs: number }[];
}): number | null {
  const baselineTenths = Math.round(input.baselineNrs * 10);
  if (!(baselineTenths > 0)) return null;
  const faded = input.followUps
    .filter((f) => f.atMs >= input.sessionEndMs && (100 - MEANINGFUL_RELIEF_PCT) * baselineTenths < 100 * Math.round(f.nrs * 10))
    .sort((a, b) => a.atMs - b.atMs)[0];
  if (!faded) return null;
  const tenthsOfDay = roundDivBig(BigInt(faded.atMs - input.sessionEndMs) * 10n, BigInt(MS_PER_DAY));
  return Number(tenthsOfDay) / 10;
}
