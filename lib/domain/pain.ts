// Pain scores and response (DOMAIN.md "What is monitored"): NRS 0-10, or VAS 0-100 mm kept
// with its scale. Relief >= 30% from baseline is clinically meaningful, >= 50% substantial
// [default: DOMAIN.md, not from the source documents].

import { MS_PER_DAY, roundDivBig } from "./units";

export type PainScale = "NRS" | "VAS";

export const PAIN_BOUNDS = {
  NRS: { min: 0, max: 10 },
  VAS: { min: 0, max: 100 },
} as const satisfies Record<PainScale, { min: number; max: number }>;

/** [default] relief percentages (DOMAIN.md). */
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
 * pain rose. VAS 0-100 is normalised to NRS 0-10 by ratio. Null when either score is
 * missing or pre is 0 (no relief can be measured from no pain).
 */
export function reliefPct(pre: PainReading | null | undefined, post: PainReading | null | undefined): number | null {
  if (!pre || !post || !Number.isFinite(pre.score) || !Number.isFinite(post.score)) return null;
  const preUnits = toVasUnits(pre);
  const postUnits = toVasUnits(post);
  if (preUnits === 0) return null;
  // tenths of a percent: (pre - post) × 1000 / pre
  const tenths = roundDivBig(BigInt(Math.round((preUnits - postUnits) * 1000)), BigInt(Math.round(preUnits)));
  const result = Number(tenths) / 10;
  return result === 0 ? 0 : result;
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
 * Days (one decimal) from the session end until the first follow-up NRS at or above the
 * baseline, i.e. how long the relief lasted. Follow-ups before the session end are
 * ignored. Null when no follow-up is back at baseline yet (relief ongoing or not recorded).
 */
export function durabilityDays(input: {
  sessionEndMs: number;
  baselineNrs: number;
  followUps: { atMs: number; nrs: number }[];
}): number | null {
  const returned = input.followUps
    .filter((f) => f.atMs >= input.sessionEndMs && f.nrs >= input.baselineNrs)
    .sort((a, b) => a.atMs - b.atMs)[0];
  if (!returned) return null;
  const tenthsOfDay = roundDivBig(BigInt(returned.atMs - input.sessionEndMs) * 10n, BigInt(MS_PER_DAY));
  return Number(tenthsOfDay) / 10;
}
