import { describe, expect, it } from "vitest";
import { PAIN_BOUNDS, classifyResponse, durabilityDays, reliefPct, sessionPrePost } from "./pain";

const DAY = 86_400_000;

describe("PAIN_BOUNDS", () => {
  it("is NRS 0-10 and VAS 0-100", () => {
    expect(PAIN_BOUNDS).toEqual({ NRS: { min: 0, max: 10 }, VAS: { min: 0, max: 100 } });
  });
});

describe("reliefPct", () => {
  it.each<[number, "NRS" | "VAS", number, "NRS" | "VAS", number | null]>([
    [8, "NRS", 4, "NRS", 50], // (8-4)/8 = 50%
    [7, "NRS", 5, "NRS", 28.6], // 2/7 = 28.571 -> 28.6
    [3, "NRS", 2, "NRS", 33.3], // 1/3 = 33.33 -> 33.3
    [6, "NRS", 5, "NRS", 16.7], // 1/6 = 16.67 -> 16.7
    [8, "NRS", 8, "NRS", 0],
    [5, "NRS", 6, "NRS", -20], // worse: -1/5
    [80, "VAS", 40, "VAS", 50],
    [8, "NRS", 30, "VAS", 62.5], // 80 vs 30 on the VAS grid: 50/80 = 62.5
    [70, "VAS", 5, "NRS", 28.6], // 70 vs 50: 20/70 = 28.571 -> 28.6
    [0, "NRS", 0, "NRS", null], // no baseline pain
    [0, "VAS", 10, "VAS", null],
  ])("%d %s -> %d %s = %j", (preScore, preScale, postScore, postScale, expected) => {
    expect(reliefPct({ score: preScore, scale: preScale }, { score: postScore, scale: postScale })).toBe(expected);
  });
  it("is null when a score is missing", () => {
    expect(reliefPct(null, { score: 2, scale: "NRS" })).toBeNull();
    expect(reliefPct({ score: 2, scale: "NRS" }, undefined)).toBeNull();
  });
});

describe("classifyResponse", () => {
  it.each<[(number | null)[], string, number | null, number]>([
    [[], "INSUFFICIENT_DATA", null, 0],
    [[null, null], "INSUFFICIENT_DATA", null, 0],
    [[50], "SUBSTANTIAL", 50, 1], // exactly 50
    [[49.9], "MEANINGFUL", 49.9, 1], // one step below
    [[30], "MEANINGFUL", 30, 1], // exactly 30
    [[29.9], "NON_RESPONDER", 29.9, 1],
    [[40, 60, null], "SUBSTANTIAL", 50, 2], // mean (40+60)/2 = 50
    [[33.3, 26.6], "NON_RESPONDER", 30, 2], // Σ 599 tenths < 600: mean 29.95 shown as 30.0, still below
    [[33.3, 26.7], "MEANINGFUL", 30, 2], // Σ 600 tenths = 600
    [[-20, 10], "NON_RESPONDER", -5, 2],
  ])("%j -> %s", (values, responder, mean, count) => {
    expect(classifyResponse(values)).toEqual({ responder, meanReliefPct: mean, sessionsWithScores: count });
  });
});

describe("durabilityDays", () => {
  const end = 1_000 * DAY;
  it.each<[{ atMs: number; nrs: number }[], number | null]>([
    [[], null],
    [[{ atMs: end + 3 * DAY, nrs: 4 }], null], // still below baseline 7
    [[{ atMs: end + 10 * DAY, nrs: 7 }], 10], // exactly back at baseline
    [[{ atMs: end + 10 * DAY, nrs: 6 }, { atMs: end + 14 * DAY, nrs: 8 }], 14], // 6 is one below
    [[{ atMs: end + 14 * DAY, nrs: 8 }, { atMs: end + 7 * DAY + DAY / 2, nrs: 7 }], 7.5], // earliest counts
    [[{ atMs: end - DAY, nrs: 9 }], null], // before the session ended
    [[{ atMs: end + DAY / 20, nrs: 7 }], 0.1], // 0.05 day -> 0.1 (half up)
  ])("%j", (followUps, expected) => {
    expect(durabilityDays({ sessionEndMs: end, baselineNrs: 7, followUps })).toBe(expected);
  });
});

describe("sessionPrePost: one definition of a session's pre and post scores", () => {
  const score = (atMs: number, phase: string, id: string) => ({ atMs, phase, id });
  it("pre is the last PRE, post the first POST; INTRA and FOLLOW_UP are neither", () => {
    const r = sessionPrePost([
      score(10, "PRE", "pre-early"), score(20, "PRE", "pre-late"), score(30, "INTRA", "intra"),
      score(50, "POST", "post-late"), score(40, "POST", "post-early"), score(90, "FOLLOW_UP", "fu"),
    ]);
    expect(r.pre?.id).toBe("pre-late");
    expect(r.post?.id).toBe("post-early");
  });
  it("at the same time the later-entered PRE and the earlier-entered POST win", () => {
    const r = sessionPrePost([score(20, "PRE", "pre-1"), score(20, "PRE", "pre-2"), score(40, "POST", "post-1"), score(40, "POST", "post-2")]);
    expect(r.pre?.id).toBe("pre-2");
    expect(r.post?.id).toBe("post-1");
  });
  it("missing scores are null", () => {
    expect(sessionPrePost([score(5, "INTRA", "i")])).toEqual({ pre: null, post: null });
    expect(sessionPrePost([])).toEqual({ pre: null, post: null });
  });
});
